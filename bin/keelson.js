#!/usr/bin/env node
'use strict';
// The `keelson` command: runs the compiled CLI (`npm run build` produces dist/).
require('../dist/apps/cli/src/main.js');
