// Node-RED loads this file; the node is compiled from src/widget-node.ts into dist/.
module.exports = require('../dist/src/widget-node.js');
