export { otsuThreshold } from './otsu-threshold.js';
