"""`okr new-cycle` as text and JSON: what was (or would be) created, carried, left behind."""

from __future__ import annotations

from ..plans.new_cycle import NewCyclePlan
from .numbers import score as two_places
from .styled import Line, short_ref, user


def _title(title: str, private: bool, include_private: bool) -> str:
    return "private objective" if private and not include_private else user(title)


def text_lines(plan: NewCyclePlan, dry_run: bool, include_private: bool) -> list[Line]:
    verb = "would create" if dry_run else "created"
    carried = sum(len(f.carried) for f in plan.files)
    lines: list[Line] = [[("okr new-cycle ", "bold"), (f"{plan.from_cycle} → {plan.next_cycle}", "bold"),
                          (f"  (carry {plan.carry}{', dry run' if dry_run else ''})", "dim")]]
    for f in plan.files:
        n = len(f.carried)
        lines.append([(f"{verb} ", ""), (user(f.path), "bold"),
                      (f"  {n} objective{'s' * (n != 1)} carried" if n else "  (empty)", "dim")])
        for c in f.carried:
            lines.append([("  carried  ", "green"), (short_ref(c.ref, plan.next_cycle), ""),
                          (f"  {two_places(c.score)}  ", "dim"), (_title(c.title, c.private, include_private), "")])
    if plan.left_behind:
        lines += [[], [(f"left behind in {plan.from_cycle}", "bold")]]
        for o in plan.left_behind:
            lines.append([("  ", ""), (short_ref(o.ref, plan.from_cycle), ""), (f"  {two_places(o.score)}  ", "dim"),
                          (_title(o.title, o.private, include_private), "")])
    if plan.attention:
        lines += [[], [("needs attention", "bold yellow")]]
        for a in plan.attention:
            lines.append([("  ", ""), (short_ref(a.ref, plan.next_cycle), "yellow"), (": ", ""), (user(a.message), "")])
    for note in plan.notes:
        lines += [[], [("note: ", "yellow"), (user(note), "")]]
    lines += [[], [((f"{carried} objective{'s' * (carried != 1)} carried, {len(plan.left_behind)} left behind, "
                    f"{len(plan.attention)} to look at"), "bold")]]
    if not dry_run and plan.files:
        lines.append([(f"next: okr check --cycle {plan.next_cycle}", "dim")])
    return lines


def render_json(plan: NewCyclePlan, dry_run: bool, include_private: bool) -> str:
    """The plan's dataclass tree; titles of private objectives are null without --include-private."""
    from dataclasses import replace

    from .json import dumps

    def shown(item):
        return replace(item, title=None) if item.private and not include_private else item

    files = tuple(replace(f, carried=tuple(map(shown, f.carried))) for f in plan.files)
    return dumps(replace(plan, files=files, left_behind=tuple(map(shown, plan.left_behind)), dry_run=dry_run))
