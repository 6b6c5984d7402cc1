export {
  deprovisionScript,
  deprovisionCustomizer,
  writeDeprovisionScript,
  templatesDir,
  VM_PATHS,
  type DeprovisionOptions,
  type LinuxDeprovisionOptions,
  type WindowsDeprovisionOptions,
  type DeprovisionScript,
} from './deprovision.js';
