"""A recording stand-in for the few xlwings objects the add-in's desktop-only paths touch.

Desktop Excel cannot run here. What these fakes can check honestly is what our
code *asks* COM for (which object, which method, which arguments and
constants) and how it uses the answers; what Excel then does is not
simulated beyond a plain answer per call. Every call on an `.api` object is
appended to `Com.calls` as (path, args, kwargs).

Only attributes a test sets exist: reading anything else raises
AttributeError, so code that starts to depend on more of COM fails here
instead of being answered with a made-up value.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable


class Com:
    """A COM object: properties are plain attributes, methods are callables set by the test."""

    def __init__(self, path: str, calls: list[tuple[str, tuple, dict]] | None = None, **attrs: Any) -> None:
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "calls", calls if calls is not None else [])
        for name, value in attrs.items():
            object.__setattr__(self, name, value)

    def method(self, name: str, answer: Callable[..., Any] | Any = None) -> "Com":
        """Define `name` as a method: records its calls, returns `answer(*args, **kwargs)` or `answer`."""
        calls, path = self.calls, f"{self._path}.{name}"

        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append((path, args, kwargs))
            if isinstance(answer, BaseException):
                raise answer
            return answer(*args, **kwargs) if callable(answer) else answer

        object.__setattr__(self, name, call)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> "Com":
        """A parameterised property such as `Cells(1, 1)`: recorded, answers a child object."""
        self.calls.append((f"{self._path}()", args, kwargs))
        return Com(f"{self._path}{args}", self.calls)

    def __setattr__(self, name: str, value: Any) -> None:
        self.calls.append((f"{self._path}.{name}=", (value,), {}))
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:  # only called for attributes that were never set
        raise AttributeError(f"the fake {self._path} has no {name!r}: the code under test asked for more of COM")

    def sets(self) -> dict[str, Any]:
        """Property writes recorded on this object, last value per property."""
        prefix = self._path + "."
        return {p[len(prefix):-1]: a[0] for p, a, _ in self.calls if p.startswith(prefix) and p.endswith("=")}


def desktop_app() -> SimpleNamespace:
    """`book.app` of the COM engine as the add-in inspects it (`app.engine.name == "excel"`)."""
    return SimpleNamespace(engine=SimpleNamespace(name="excel"))


class StatusBarApp:
    """`book.app` of the COM engine with Excel's status bar (`Application.StatusBar`): every text
    written is kept in `shown`, in order; False (handing the bar back to Excel) too."""

    def __init__(self) -> None:
        self.engine = SimpleNamespace(name="excel")
        self.shown: list[str | bool] = []

    @property
    def status_bar(self) -> str | bool:
        return self.shown[-1] if self.shown else False

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self.shown.append(value)


def formatting_worksheet(name: str = "Sheet1") -> Com:
    """A Worksheet for what the add-in formats over COM on a new sheet: `Range(address)` answers a
    Range that records Select, property writes (IndentLevel), `FormatConditions.Add` (answering a
    FormatCondition that records SetLastPriority, StopIfTrue and `Interior.Color`) and `Validation`
    (Delete, Add and its properties). Every call lands in the worksheet's `calls`, in order."""
    ws = Com(f"Worksheet[{name}]")
    calls = ws.calls

    def range_(address: str) -> Com:
        calls.append((f"{ws._path}.Range", (address,), {}))
        path = f"Range({address})"
        rng = Com(path, calls).method("Select")

        def add(**_: Any) -> Com:
            condition = Com(f"{path}.FormatCondition", calls).method("SetLastPriority")
            object.__setattr__(condition, "Interior", Com(f"{path}.FormatCondition.Interior", calls))
            return condition

        object.__setattr__(rng, "FormatConditions", Com(f"{path}.FormatConditions", calls).method("Add", add))
        object.__setattr__(rng, "Validation", Com(f"{path}.Validation", calls).method("Delete").method("Add"))
        return rng

    object.__setattr__(ws, "Range", range_)
    return ws


class FakeRange:
    """`sheet.range(...)`: records the address, answers a value grid and a fill colour; `.api` is
    the worksheet's `Range(address)` (see `formatting_worksheet`)."""

    def __init__(self, sheet: "FakeSheet", first: tuple[int, int], last: tuple[int, int] | None) -> None:
        self.sheet, self.first, self.last = sheet, first, last or first

    def options(self, **_: Any) -> "FakeRange":
        return self

    @property
    def value(self) -> list[list[Any]]:
        self.sheet.reads.append((self.first, self.last))
        (r1, c1), (r2, c2) = self.first, self.last
        return [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    @property
    def api(self) -> Com:
        from welfare_xl.core.model.cells import cell_ref

        (r1, c1), (r2, c2) = self.first, self.last
        first, last = cell_ref(r1 - 1, c1 - 1), cell_ref(r2 - 1, c2 - 1)
        return self.sheet.api.Range(first if first == last else f"{first}:{last}")

    @property
    def color(self) -> tuple[int, int, int] | None:
        self.sheet.color_reads.append(self.first)
        return self.sheet.colors.get(self.first)


class FakeSheet:
    """An xlwings Sheet on the desktop engine: `.book`, `.api`, `.range`, `.used_range`, `.visible`."""

    def __init__(self, name: str = "Sheet1", *, cells: dict[tuple[int, int], Any] | None = None,
                 used: tuple[int, int] = (1, 1), visible: Any = -1, api: Com | None = None) -> None:
        self.name = name
        self.book = SimpleNamespace(app=desktop_app())
        self.cells = cells or {}
        self.colors: dict[tuple[int, int], tuple[int, int, int] | None] = {}
        self.reads: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self.color_reads: list[tuple[int, int]] = []
        self.visible = visible
        self.api = api if api is not None else Com(f"Worksheet[{name}]")
        r, c = used
        self.used_range = SimpleNamespace(last_cell=SimpleNamespace(row=r, column=c))

    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> FakeRange:
        return FakeRange(self, first, last)

    def activate(self) -> None:
        """xlwings' Sheet.activate, recorded among the COM calls (Select needs the sheet active)."""
        self.api.calls.append(("Sheet.activate", (), {}))
