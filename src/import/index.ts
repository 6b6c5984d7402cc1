export { importTemplate, defaultImportDir, type ImportOptions, type ImportReport, type ImportedStep, type ImportAction } from './import.js';
