// The components Dashboard 2.0 loads from this package, by the names package.json gives.
export { default as UIPrm3Loads } from './UIPrm3Loads.vue';
