// Copies the walkthrough's sample (a real Go heap dump and the program that wrote it) from
// tests/data into sample/, which goes into the .vsix; the repository keeps one copy of each.
'use strict';
const fs = require('fs');
const path = require('path');

const data = path.join(__dirname, '..', '..', 'tests', 'data', 'go');
const out = path.join(__dirname, '..', 'sample');
fs.mkdirSync(out, { recursive: true });
fs.copyFileSync(path.join(data, 'workers-go1.19.heapdump'), path.join(out, 'workers-go1.19.heapdump'));
fs.copyFileSync(path.join(data, 'workers', 'main.go'), path.join(out, 'main.go'));
