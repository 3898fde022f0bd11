// Node-RED loads this file; the node is compiled from src/nodes/egauge-register.ts into dist/.
module.exports = require('../dist/src/nodes/egauge-register.js');
