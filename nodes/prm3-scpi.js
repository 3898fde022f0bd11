// Node-RED loads this file; the node is compiled from src/nodes/prm3-scpi.ts into dist/.
module.exports = require('../dist/src/nodes/prm3-scpi.js');
