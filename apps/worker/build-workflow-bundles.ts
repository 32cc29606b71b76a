/**
 * `npm run build:workflows [dir]`: writes the worker's workflow bundles (default dist/workflow-bundles), which a
 * worker started with WORKFLOW_BUNDLE_DIR loads instead of bundling its workflows as it starts.
 */
import { writeWorkflowBundles } from './workflow-bundles';

const dir = process.argv[2] ?? 'dist/workflow-bundles';
writeWorkflowBundles(dir).then(
  (files) => console.log(`workflow bundles written: ${files.join(', ')}`),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
