export {
  deprovisionScript,
  deprovisionRecipe,
  deprovisionCustomizer,
  writeDeprovisionScript,
  VM_PATHS,
  type DeprovisionOptions,
  type LinuxDeprovisionOptions,
  type WindowsDeprovisionOptions,
  type DeprovisionScript,
  type DeprovisionRecipe,
} from './deprovision.js';
