export { doctor, type ToolReport } from './doctor.js';
