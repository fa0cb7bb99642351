"""Values derived from long-lived objects (a spec, its facts, a lexicon), computed once each.

The repair loop and an eval run check many texts against the same spec, facts and lexicon;
what the rules derive from those alone is kept here, by the identity of the objects.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class IdentityCache(Generic[T]):
    """The last few values built from given objects, looked up by those very objects.

    The objects are held with their value, so their ids cannot be reused while cached.
    Callers must not mutate a cached value, nor the objects it was built from.
    """

    def __init__(self, size: int = 64):
        self._size = size
        self._items: OrderedDict[tuple[int, ...], tuple[tuple[object, ...], T]] = OrderedDict()

    def get(self, objs: tuple[object, ...], build: Callable[[], T]) -> T:
        """The value for `objs`, built with `build()` the first time."""
        key = tuple(map(id, objs))
        hit = self._items.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], objs, strict=True)):
            return hit[1]
        value = build()
        self._items[key] = (objs, value)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return value
