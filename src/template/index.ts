export {
  parseJsonDocument,
  describeJsonError,
  loadJsonDocument,
  readTemplateText,
  tooDeep,
  MAX_TEMPLATE_BYTES,
  MAX_JSON_DEPTH,
  indexInArray,
  pointerOf,
  joinPointer,
  escapePointer,
  propertyNode,
  valueNode,
  stringValue,
  properties,
  keyOf,
  type JsonDocument,
} from './json-document.js';
export {
  findImageTemplates,
  findCustomizers,
  IMAGE_TEMPLATE_TYPE,
  type ImageTemplateRef,
  type CustomizerRef,
  type CustomizerList,
  type TemplateForm,
} from './image-templates.js';
export { inferOs, WINDOWS_PUBLISHERS, LINUX_PUBLISHERS } from './os.js';
export { resolveArmString } from './arm-values.js';
