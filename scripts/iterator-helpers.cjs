// Node 20 lacks Iterator.prototype.toArray (Node 22 has it), and `allure quality-gate` 3.18 calls it.
// Loaded with --require by `npm run report:gate`; it changes nothing where the method exists.
const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
if (typeof IteratorPrototype.toArray !== 'function') {
  Object.defineProperty(IteratorPrototype, 'toArray', {
    configurable: true,
    writable: true,
    value() {
      return Array.from(this);
    },
  });
}
