/**
 * @module
 * The grader: a learner's answer in, a verdict per check out — each with expected vs
 * observed, the hint to show, and an explanation from the engine's evidence. Static
 * grading is pure and isomorphic; live grading (real packets) goes through LiveProber.
 */
export { gradeStatic, findTask, startLayers } from './grade.ts';
export { validateLab, type Validation } from './validate.ts';
export { lintLab } from './lint.ts';
export type { CheckResult, GradeResult, Mode } from './result.ts';
export type { IngressAnswer, LiveFlow, LiveProber, PodRef } from './live.ts';
export { gradeLive } from './grade-live.ts';
export { renderHuman } from './report/human.ts';
export { renderJson } from './report/json.ts';
export { renderJunit } from './report/junit.ts';
export { ansi, plain, type Style } from './report/style.ts';
