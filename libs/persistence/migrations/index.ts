import { InitialSchema1763900000000 } from './1763900000000-InitialSchema';

/** Listed explicitly: the build and the tests load the same migrations, with no glob to drift. */
export const MIGRATIONS = [InitialSchema1763900000000];
