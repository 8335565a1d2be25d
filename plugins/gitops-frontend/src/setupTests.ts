import '@testing-library/jest-dom';

// jsdom lays nothing out; Backstage's DependencyGraph measures its nodes
// with getBBox.
if (!('getBBox' in window.SVGElement.prototype)) {
  Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
    value: () => ({ x: 0, y: 0, width: 120, height: 56 }),
  });
}
