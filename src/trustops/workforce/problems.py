"""Refusing input with every problem listed: one 422 whose details name each field path."""
from trustops.kernel.errors import Invalid


def refuse(problems: list[dict], code: str = "invalid_field") -> None:
    """Raise one `Invalid` listing every problem (each {"field", "message"}); nothing when there are none."""
    if not problems:
        return
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    raise Invalid(code, f"{first['field']}: {first['message']}{more}", field=first["field"],
                  details={"problems": problems})
