"""Labels that never overlap: placed at draw time, or left out.

A chart with hundreds of short intervals or arrows cannot label them all
where they are. :class:`LabelLayer` collects labels, each with a list of
candidate positions in data coordinates, and places them when the figure is
drawn -- so after ``tight_layout``, at the final size and resolution: in
order of priority, each label takes its first candidate whose box lies
inside the axes and overlaps no label already placed; a label with no such
candidate is hidden. Every draw redoes the placement, so resizing or saving
at another resolution stays free of overlaps.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> layer = LabelLayer(ax)
>>> first = layer.add("a label", [(0.5, 0.5)])
>>> second = layer.add("a label", [(0.5, 0.5), (0.5, 0.8)])   # same spot: moves
>>> fig.canvas.draw()
>>> second.get_position()
(0.5, 0.8)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from matplotlib.artist import Artist
from matplotlib.text import Text
from matplotlib.transforms import Bbox

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase

__all__ = ["LabelLayer", "overlapping_pairs"]


class LabelLayer(Artist):
    """Texts placed on ``ax`` without overlaps, best first, at draw time.

    ``padding`` (points) keeps that much space around each label.
    """

    def __init__(self, ax: Axes, padding: float = 1.0) -> None:
        super().__init__()
        self.ax = ax
        self.padding = padding
        self.items: list[tuple[float, int, Text, list[tuple[float, float]]]] = []
        self.set_zorder(2.95)  # before the texts (zorder 3) are drawn
        ax.add_artist(self)

    def add(self, text: str, candidates: Sequence[tuple[float, float]],
            priority: float = 0.0, **kwargs: Any) -> Text:
        """Add a label; ``candidates`` in order of preference; higher
        ``priority`` is placed first. ``kwargs`` go to ``Axes.text``."""
        if not candidates:
            raise ValueError("candidates must name at least one position")
        kwargs.setdefault("ha", "center")
        kwargs.setdefault("va", "center")
        kwargs.setdefault("fontsize", 7)
        label = self.ax.text(*candidates[0], text, **kwargs)
        label.set_visible(False)  # until placed
        self.items.append((-priority, len(self.items), label, list(candidates)))
        return label

    @property
    def texts(self) -> list[Text]:
        return [label for _, _, label, _ in self.items]

    def draw(self, renderer: RendererBase) -> None:
        self.place(renderer)

    def place(self, renderer: RendererBase) -> None:
        """Place every label for ``renderer``, hiding those that do not fit."""
        frame = self.ax.get_window_extent(renderer)
        pad = self.padding * renderer.points_to_pixels(1.0)  # type: ignore[operator]
        taken: list[Bbox] = []
        for _, _, label, candidates in sorted(self.items, key=lambda item: item[:2]):
            label.set_visible(True)  # an invisible text has no extent
            for position in candidates:
                label.set_position(position)
                box = label.get_window_extent(renderer)
                box = Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad,
                                        box.y1 + pad)
                if _inside(box, frame) and not any(box.overlaps(b) for b in taken):
                    taken.append(box)
                    break
            else:
                label.set_visible(False)


def _inside(box: Bbox, frame: Bbox) -> bool:
    return bool(box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                and box.y1 <= frame.y1)


def overlapping_pairs(texts: Sequence[Text], renderer: RendererBase
                      ) -> list[tuple[int, int]]:
    """Index pairs of visible, non-empty ``texts`` whose boxes overlap."""
    boxes = [(i, t.get_window_extent(renderer)) for i, t in enumerate(texts)
             if t.get_visible() and t.get_text()]
    return [(i, j) for a, (i, bi) in enumerate(boxes) for j, bj in boxes[a + 1:]
            if bi.overlaps(bj)]
