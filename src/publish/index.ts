export { publish, type PublishOptions, type PublishResult, type PublishedArtifact, type PublishStatus } from './publish.js';
export { parseBlobUri, contentTypeOf, type BlobTarget } from './target.js';
