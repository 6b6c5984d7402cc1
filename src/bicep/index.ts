export { parseBicep, property, type BicepStructure, type ObjectNode, type PropertyNode } from './objects.js';
export { tokenize, literalOf, BicepSyntaxError, type Token, type StringPart } from './lexer.js';
