"""Bounded input types for the vendor side of the workforce API."""
from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Month = Annotated[str, StringConstraints(pattern=r"^(20\d\d|2100)-(0[1-9]|1[0-2])$")]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
Text = Annotated[str, StringConstraints(max_length=4000)]
