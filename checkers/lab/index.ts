/**
 * @module
 * The lab format: zod schemas (the single source of truth, exported as JSON Schema by
 * `flatnet lab schema`), parsing lab.yaml with file/line/field errors, parameters, the
 * supported images and the baseline every cluster has. Isomorphic: files are read by the runner.
 */
export { LabSchema, LAB_API_VERSION, type Lab, type Step } from './lab.ts';
export { TaskSchema, type Task, type AnswerSource, type Hint, type WrongAnswer } from './task.ts';
export { CheckSchema, CHECK_KINDS, type Check, type Endpoint } from './check.ts';
export { SetupSchema, setupObjects, type Setup } from './setup.ts';
export { ParamSchema, pickValues, variantValues, variantCount, type Param, type ParamValues } from './params.ts';
export { parseLab, renderText, type ParsedLab, type RenderOptions } from './parse.ts';
export { referencedFiles, sourceText, sourceManifests, labDir, type LabBundle, type SourceText, type FileRef } from './sources.ts';
export { isSupportedImage, SUPPORTED_IMAGES } from './images.ts';
export { BASELINE, baselineObjects } from './baseline.ts';
export { labJsonSchema } from './json-schema.ts';
