import { InitialSchema1763900000000 } from './1763900000000-InitialSchema';
import { AuditChainAndHistories1764000000000 } from './1764000000000-AuditChainAndHistories';
import { AuthAndSubstitution1764000100000 } from './1764000100000-AuthAndSubstitution';
import { YearlyCycle1764000200000 } from './1764000200000-YearlyCycle';
import { Curatorships1764000350000 } from './1764000350000-Curatorships';
import { Sessions1764000400000 } from './1764000400000-Sessions';
import { InboxIndexes1764000500000 } from './1764000500000-InboxIndexes';
import { DirectoryLogins1764000620000 } from './1764000620000-DirectoryLogins';
import { LoginFailures1764000700000 } from './1764000700000-LoginFailures';
import { TaskAttention1764000800000 } from './1764000800000-TaskAttention';
import { TaskCycleIndex1764000900000 } from './1764000900000-TaskCycleIndex';
import { IdempotencyKeys1764001200000 } from './1764001200000-IdempotencyKeys';
import { CycleActionRequests1764001600000 } from './1764001600000-CycleActionRequests';
import { CycleActionMails1764001700000 } from './1764001700000-CycleActionMails';
import { IdempotencyClaimOwners1764001750000 } from './1764001750000-IdempotencyClaimOwners';

/** Listed explicitly: the build and the tests load the same migrations, with no glob to drift. */
export const MIGRATIONS = [
  InitialSchema1763900000000,
  AuditChainAndHistories1764000000000,
  AuthAndSubstitution1764000100000,
  YearlyCycle1764000200000,
  Curatorships1764000350000,
  Sessions1764000400000,
  InboxIndexes1764000500000,
  DirectoryLogins1764000620000,
  LoginFailures1764000700000,
  TaskAttention1764000800000,
  TaskCycleIndex1764000900000,
  IdempotencyKeys1764001200000,
  CycleActionRequests1764001600000,
  CycleActionMails1764001700000,
  IdempotencyClaimOwners1764001750000,
];
