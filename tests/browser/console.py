"""What a person does in the console and what they read there, in their own terms (labels, buttons, tables)."""
from playwright.sync_api import Page, expect

# Everyone the browser tests create signs in with this password.
PASSWORD = "correct horse battery staple"


def sign_in(page: Page, user, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def queue_rows(page: Page) -> dict[str, dict[str, str]]:
    """The queue overview as read on screen: queue key -> {column heading: value shown}.

    The first cell shows the queue's name with its key on the line below.
    """
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    headings = [h.strip().lower() for h in table.get_by_role("columnheader").all_text_contents()]
    rows = {}
    for row in table.get_by_role("row").all():
        cells = [c.inner_text().strip() for c in row.get_by_role("cell").all()]
        if not cells:
            continue  # the heading row
        name, key = cells[0].splitlines()[0].strip(), cells[0].splitlines()[-1].strip()
        rows[key] = {**dict(zip(headings, cells)), "queue": name}
    return rows


def queue_cell(page: Page, queue_key: str, heading: str):
    """The cell a person looks at for one queue under one column heading, e.g. ("general-us", "Waiting")."""
    table = page.get_by_role("table")
    headings = [h.strip().lower() for h in table.get_by_role("columnheader").all_text_contents()]
    row = table.get_by_role("row").filter(has_text=queue_key)
    return row.get_by_role("cell").nth(headings.index(heading.lower()))


def take_next_case(page: Page, queue_key: str) -> None:
    """Press "Next case" on the queue's row of the overview."""
    row = page.get_by_role("table").get_by_role("row").filter(has_text=queue_key)
    row.get_by_role("button", name="Next case").click()


def section(page: Page, heading: str):
    """A titled part of a page (a region named by its heading), e.g. "Owner history"."""
    return page.get_by_role("region", name=heading, exact=True)


def image_filter(image) -> str:
    """The CSS filter the browser applies to an image as shown: "none" when nothing veils it."""
    return image.evaluate("element => getComputedStyle(element).filter")


def wait_until_unveiled(page: Page, image) -> None:
    """Wait until the image is shown without blur or greyscale."""
    page.wait_for_function("element => getComputedStyle(element).filter === 'none'", arg=image.element_handle())


def current_code(device) -> str:
    """The code an authenticator app shows now for this device (django-otp refuses a code used before)."""
    import time

    from django_otp.oath import totp

    step_now = int(time.time() - device.t0) // device.step
    drift = max(device.drift, device.last_t + 1 - step_now)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):0{device.digits}d}"


def code_from_setup_key(setup_key: str) -> str:
    """What an authenticator app shows for a key typed in by hand."""
    from base64 import b32decode

    from django_otp.oath import totp

    return f"{totp(b32decode(setup_key.replace(' ', ''))):06d}"
