// Node-RED loads this file; the node is compiled from src/nodes/egauge-meter.ts into dist/.
module.exports = require('../dist/src/nodes/egauge-meter.js');
