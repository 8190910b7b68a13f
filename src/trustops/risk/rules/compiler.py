"""Compiling a rule's `when` (CEL) and checking it against its features before anything runs it.

CEL has no loops, but its comprehension macros (`all`, `exists`, `map`, `filter`) iterate, and an expression can
be made very large or deep: both are bounded here, and evaluation inputs are bounded where events come in.
What a rule may read: `features.NAME` (its own features), `event` (id, kind, occurred_at, attributes),
`actor` and `target` (entity facts, `FACTS`).
"""
import re
from dataclasses import dataclass

import cel

from trustops.kernel.errors import Invalid
from trustops.risk.features.spec import Feature

VARIABLES = ("features", "event", "actor", "target")
FACTS = ("type", "external_id", "region", "age_days", "reach", "standing", "strike_points", "labels",
         "open_cases")
EVENT_FIELDS = ("id", "kind", "occurred_at", "attributes")
MAX_LENGTH = 2000
MAX_DEPTH = 20
MAX_MACROS = 4
STRING = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")
MACRO = re.compile(r"\.(all|exists|exists_one|map|filter)\s*\(")
POSITION = re.compile(r"<input>:(\d+):(\d+):\s*(.*)")


@dataclass
class Compiled:
    program: "cel.Program"
    features: tuple[str, ...]         # feature names the expression reads
    facts: dict[str, set[str]]        # actor/target -> facts read
    # The same expression reading plain variables (`features.n` -> one variable per feature signature), and
    # what each variable is bound to: handing CEL a few scalars costs far less than converting nested maps.
    # None when the expression uses a map as a whole (`size(event.attributes)`, `has(...)`, `x in features`).
    flat: "cel.Program | None" = None
    bindings: tuple = ()


READ = re.compile(r"\bevent\s*\.\s*attributes\s*\.\s*([A-Za-z_]\w*)"
                  r"|\bevent\s*\.\s*(id|kind|occurred_at)\b"
                  r"|\bfeatures\s*\.\s*([A-Za-z_]\w*)"
                  r"|\b(actor|target)\s*\.\s*([A-Za-z_]\w*)")


def flatten(source: str, features: list[Feature]) -> tuple["cel.Program | None", tuple]:
    """The expression over plain variables, and their bindings: (variable, source, key)."""
    bare = _blank_strings(source)
    if "has(" in bare.replace(" ", ""):
        return None, ()
    by_name = {f.name: f for f in features}
    pieces, bindings, last = [], {}, 0
    for match in READ.finditer(bare):
        attribute, field, feature, entity, fact = match.groups()
        if attribute:
            variable, binding = f"a__{attribute}", ("attribute", attribute)
        elif field:
            variable, binding = f"e__{field}", ("event", field)
        elif feature:
            signature = by_name[feature].signature
            variable, binding = f"f__{signature}", ("feature", signature)
        else:
            variable, binding = f"{entity}__{fact}", (entity, fact)
        pieces += [source[last:match.start()], variable]
        bindings[variable] = binding
        last = match.end()
    pieces.append(source[last:])
    flat = "".join(pieces)
    if re.search(r"\b(features|event|actor|target)\b", _blank_strings(flat)):
        return None, ()
    try:
        return cel.compile(flat), tuple((v, *b) for v, b in bindings.items())
    except (ValueError, RuntimeError):
        return None, ()


def _blank_strings(source: str) -> str:
    """The source with string literals blanked (same length), so names inside them are not taken as reads."""
    return STRING.sub(lambda m: '"' + " " * (len(m.group(0)) - 2) + '"', source)


def _where(source: str, offset: int) -> str:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def compile_when(source: str, features: list[Feature]) -> Compiled:
    """The compiled program, or `Invalid` (field `when`) saying what is wrong and where."""
    if not isinstance(source, str) or not source.strip():
        raise Invalid("invalid_expression", "when: an expression is required.", field="when")
    if len(source) > MAX_LENGTH:
        raise Invalid("expression_too_long", f"when: at most {MAX_LENGTH} characters.", field="when")
    bare = _blank_strings(source)
    depth = deepest = 0
    for ch in bare:
        depth += ch in "([{"
        depth -= ch in ")]}"
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise Invalid("expression_too_deep", f"when: nested {deepest} levels deep; at most {MAX_DEPTH}.",
                      field="when")
    macros = MACRO.findall(bare)
    if len(macros) > MAX_MACROS:
        raise Invalid("expression_too_costly", f"when: {len(macros)} comprehensions ({', '.join(macros)}); at "
                                               f"most {MAX_MACROS}, each over bounded event attributes.",
                      field="when")
    try:
        program = cel.compile(source)
    except (ValueError, RuntimeError) as error:
        text = str(error)
        found = POSITION.search(text)
        where = f"line {found.group(1)}, column {int(found.group(2)) + 1}: {found.group(3)}" if found else text
        raise Invalid("invalid_expression", f"when does not compile at {where[:400]}", field="when") from None
    unknown = sorted(set(program.variables()) - set(VARIABLES))
    if unknown:
        at = re.search(rf"\b{re.escape(unknown[0])}\b", bare)
        raise Invalid("unknown_variable", f"when reads {unknown[0]!r} at {_where(source, at.start() if at else 0)}"
                                          f"; a rule reads {', '.join(VARIABLES)}.", field="when")
    defined = {f.name for f in features}
    named = []
    for match in re.finditer(r"\bfeatures\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*\"\s*([^\"]*?)\s*\"\s*\])", bare):
        name = match.group(1) or source[match.start(2):match.end(2)]
        if name not in defined:
            raise Invalid("unknown_feature", f"when reads features.{name} at {_where(source, match.start())}, "
                                             f"which the rule does not define"
                                             f"{' (it defines ' + ', '.join(sorted(defined)) + ')' if defined else ''}.",
                          field="when")
        named.append(name)
    if re.search(r"\bfeatures\b(?!\s*[.\[])", bare) and "features" in program.variables():
        named = sorted(defined)   # the whole map is read (e.g. `"x" in features`)
    facts: dict[str, set[str]] = {"actor": set(), "target": set()}
    for match in re.finditer(r"\b(actor|target)\s*\.\s*([A-Za-z_]\w*)", bare):
        if match.group(2) not in FACTS:
            raise Invalid("unknown_fact", f"when reads {match.group(1)}.{match.group(2)} at "
                                          f"{_where(source, match.start())}; known facts: {', '.join(FACTS)}.",
                          field="when")
        facts[match.group(1)].add(match.group(2))
    for match in re.finditer(r"\bevent\s*\.\s*([A-Za-z_]\w*)", bare):
        if match.group(1) not in EVENT_FIELDS:
            raise Invalid("unknown_event_field", f"when reads event.{match.group(1)} at "
                                                 f"{_where(source, match.start())}; an event has "
                                                 f"{', '.join(EVENT_FIELDS)}.", field="when")
    for var in ("actor", "target"):
        if var in program.variables() and not facts[var]:
            facts[var] = set(FACTS)
    flat, bindings = flatten(source, features)
    return Compiled(program, tuple(dict.fromkeys(named)), facts, flat, bindings)
