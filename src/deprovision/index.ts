export {
  deprovisionScript,
  deprovisionCustomizer,
  writeDeprovisionScript,
  VM_PATHS,
  type DeprovisionOptions,
  type LinuxDeprovisionOptions,
  type WindowsDeprovisionOptions,
  type DeprovisionScript,
} from './deprovision.js';
