"""A vendor's own manager plans the night at their New York site in a real browser: a shift template across
midnight, an agent rostered on it, a roster CSV refused with every problem listed and then imported."""
import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in
from trustops.kernel import clock
from trustops.simulation import platform as setup
from trustops.workforce.rosters.models import RosterEntry

pytestmark = pytest.mark.browser
NOW = datetime(2026, 2, 2, 12, tzinfo=timezone.utc)   # a Monday


def test_a_vendors_manager_rosters_a_night_shift_and_imports_a_roster(page, people, tmp_path):
    manager = people.person("vendor_manager", vendor=setup.VENDOR_A, username="nw-roster-vm")
    people.vendor_agent(username="ana")
    people.vendor_agent(username="ben")
    with clock.frozen(NOW):
        sign_in(page, manager)
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Vendors").click()
        page.get_by_role("table", name="Vendors compared").get_by_role("link", name=setup.VENDOR_A).click()
        page.get_by_role("link", name="Roster and adherence").click()
        expect(page.get_by_role("heading", name=re.compile("People and roster"), level=1)).to_be_visible()

        page.get_by_label("Key").fill("night")
        page.get_by_label("Name").fill("Night")
        page.get_by_label("Site").fill("New York")
        page.get_by_label("Time zone (IANA)").fill("America/New_York")
        page.get_by_label("Starts").fill("22:00")
        page.get_by_label("Ends").fill("06:00")
        page.get_by_role("button", name="Add the template").click()
        expect(page.get_by_text("Shift template added.")).to_be_visible()
        expect(page.get_by_role("table", name="Shift templates")).to_contain_text("next day")

        page.get_by_label("Agent", exact=True).select_option("ana")
        page.get_by_label("Local day").fill("2026-02-03")
        page.get_by_label("Shift", exact=True).select_option("night")
        page.get_by_role("button", name="Roster", exact=True).click()
        expect(page.get_by_role("table", name="Roster").get_by_role("row", name=re.compile("ana"))).to_contain_text(
            "night 22:00–06:00")

        bad = tmp_path / "bad.csv"
        bad.write_text("agent,day,shift\nghost,2026-02-04,night\nben,2026-02-04,night\nben,2026-02-04,off\n")
        page.get_by_label("The roster's CSV (agent,day,shift,queue)").set_input_files(str(bad))
        page.get_by_role("button", name="Import the roster").click()
        expect(page.get_by_text("csv.row 2.agent: no active agent 'ghost' at this vendor")).to_be_visible()
        expect(page.get_by_text(re.compile("csv.row 4: duplicate of csv.row 3"))).to_be_visible()
        assert not RosterEntry.objects.filter(agent__username="ben").exists()

        good = tmp_path / "good.csv"
        good.write_text("agent,day,shift\nben,2026-02-04,night\nana,2026-02-04,off\n")
        page.get_by_label("The roster's CSV (agent,day,shift,queue)").set_input_files(str(good))
        page.get_by_role("button", name="Import the roster").click()
        expect(page.get_by_text("Roster imported: 2 agent days.")).to_be_visible()
        expect(page.get_by_role("table", name="Roster").get_by_role("row", name=re.compile("ben"))).to_contain_text(
            "night")
