import { command, option } from './typed.js';
import { int } from './args.js';

/** `aibgen publish`: its arguments, options and help, defined once; the options' type is inferred from them. */
export const publishDefinition = () =>
  command('publish')
    .description('upload exactly the artifacts of artifacts.json to their URIs in Azure Blob Storage, checked and idempotent')
    .argument('[dir]', 'the project folder (or its aibgen.json)', '.')
    .option('--dry-run', 'list what would be uploaded, skipped or refused; change nothing')
    .option('--json', 'print the result as JSON')
    .addOption(option('--concurrency <n>', 'uploads at once').argParser(int('--concurrency')).default(4))
    .option('--overwrite', 'replace blobs that exist with other content (refused by default)')
    .option('--verify', 'download every uploaded blob again and compare its SHA-256')
    .option('--sas-env <VAR>', 'read a SAS token from this environment variable (default AZURE_STORAGE_SAS_TOKEN)')
    .addHelpText(
      'after',
      '\nCredentials, first that applies: AZURE_STORAGE_CONNECTION_STRING; a SAS (AZURE_STORAGE_SAS_TOKEN or --sas-env); Azure sign-in: a service principal or workload identity from AZURE_* variables, a managed identity, or az login (needs Storage Blob Data Contributor).\nExit codes: 0 published (or already there); 1 a blob exists with other content (without --overwrite); 2 bad input, no access, or a failed upload.',
    );

export type PublishCliOptions = ReturnType<ReturnType<typeof publishDefinition>['opts']>;
