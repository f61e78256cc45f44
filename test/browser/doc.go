// Package browser holds Portico's end-to-end tests: the whole portal (plugins/all) started on a
// loopback port with the example company, driven by real headless Chromium.
package browser
