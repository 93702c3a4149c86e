"""Empty states: on a branch with nothing recorded yet, each main list page shows, in place of the
list, the design system's empty state (`.dj-empty`): a sentence of what is missing and one of what
to do or when something will appear — never an empty table, a bare “—” or “无”."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from dangjian.testing.world import World

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Empty:
    text: str = ""  # the sentences, without the text of the action links
    links: list[str] = field(default_factory=list)


class Page(HTMLParser):
    """The `.dj-empty` elements of a page (text and links) and its table bodies without a row."""

    def __init__(self) -> None:
        super().__init__()
        self.empties: list[Empty] = []
        self.bare_tables = 0
        self._open: list[int] = []  # nesting levels of the open .dj-empty elements
        self._level = 0
        self._rows: list[int] = []  # rows seen in each open tbody
        self._links = 0  # open <a> elements inside an empty state

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self._level += 1
        attributes = dict(attrs)
        if "dj-empty" in (attributes.get("class") or "").split():
            self._open.append(self._level)
            self.empties.append(Empty())
        if tag == "a" and self._open:
            self.empties[-1].links.append(attributes.get("href") or "")
            self._links += 1
        if tag == "tbody":
            self._rows.append(0)
        elif tag == "tr" and self._rows:
            self._rows[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag == "a" and self._links:
            self._links -= 1
        if self._open and self._open[-1] == self._level:
            self._open.pop()
        if tag == "tbody" and self._rows and self._rows.pop() == 0:
            self.bare_tables += 1
        self._level -= 1

    def handle_data(self, data: str) -> None:
        if self._open and not self._links:
            self.empties[-1].text += data


def empty_states(client: Client, path: str) -> list[Empty]:
    """The page's empty states, each checked to say what is missing and what to do."""
    response = client.get(path)
    assert response.status_code == 200, path
    page = Page()
    page.feed(response.content.decode())
    assert page.bare_tables == 0, f"{path}: a table without rows and without an empty state"
    assert page.empties, f"{path}: the list is empty and the page has no empty state (.dj-empty)"
    for empty in page.empties:
        text = " ".join(empty.text.split())
        # What is missing, then what to do or when something will appear: two sentences at least,
        # set as Chinese text (no space after a full stop).
        assert text.count("。") >= 2, f"{path}: the empty state does not say what to do: {text!r}"
        assert "。 " not in text, f"{path}: a space between Chinese sentences: {text!r}"
    return page.empties


def test_the_parser_catches_a_bare_table_and_an_empty_state_without_guidance() -> None:
    bare = Page()
    bare.feed("<table><thead><tr><th>姓名</th></tr></thead><tbody></tbody></table>")
    assert bare.bare_tables == 1 and bare.empties == []
    short = Page()
    short.feed('<ul><li class="list-group-item dj-empty">无。</li></ul>')
    assert "".join(short.empties[0].text.split()).count("。") == 1
    link = Page()
    link.feed('<p class="dj-empty">暂无会议。请安排。<a href="/add/">安排会议</a></p><p>其他。</p>')
    assert link.empties[0].text == "暂无会议。请安排。" and link.empties[0].links == ["/add/"]


def test_secretary_of_an_empty_branch_is_told_what_to_do_on_each_list(world: World) -> None:
    branch = world.branch.pk
    client = Client()
    client.force_login(world.secretary)
    for path in (
        f"/orgs/{branch}/meetings/",
        f"/orgs/{branch}/transfers/",
        f"/orgs/{branch}/floating/",
        f"/orgs/{branch}/lost-contact/",
        f"/orgs/{branch}/probation/",
        f"/orgs/{branch}/study/",
        f"/orgs/{branch}/point-rules/",
        f"/orgs/{branch}/lecturers/",
        f"/orgs/{branch}/calendar/",
        "/notifications/",
    ):
        empty_states(client, path)


def test_member_of_an_empty_branch_is_told_what_will_appear(world: World) -> None:
    client = Client()
    client.force_login(world.member_user)
    for path in (
        "/my/meetings/",
        "/my/dues/",
        "/my/points/",
        "/my/evaluation/",
        "/my/study/",
        "/my/transfer/",
        "/my/branch/",
        "/my/calendar/",
        "/notifications/",
    ):
        empty_states(client, path)


def test_committee_and_auditor_see_empty_states_for_empty_results(world: World) -> None:
    county = world.county.pk
    client = Client()
    client.force_login(world.county_staff)
    for path in (
        f"/orgs/{county}/compliance/",
        f"/orgs/{county}/supervision/",
        f"/orgs/{county}/transfers/",
        "/members/?q=查无此人",
    ):
        empty_states(client, path)
    client.force_login(world.auditor)
    empty_states(client, "/audit/?action=no.such.action")


def test_the_empty_meeting_list_offers_the_first_meeting_only_to_whoever_may_schedule(world: World) -> None:
    path = f"/orgs/{world.branch.pk}/meetings/"
    add = f"/orgs/{world.branch.pk}/meetings/add/"
    client = Client()
    client.force_login(world.secretary)
    (empty,) = empty_states(client, path)
    assert empty.links == [add] and "安排会议" in empty.text
    client.force_login(world.member_user)
    response = client.get(path)
    if response.status_code == 200:  # members who may read the branch's meetings
        (empty,) = empty_states(client, path)
        assert empty.links == [] and "支部安排的会议会显示在这里" in empty.text


def test_english_empty_states_keep_a_space_between_sentences(world: World) -> None:
    client = Client()
    client.force_login(world.member_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/my/meetings/").content.decode()
    assert "No upcoming meetings. When your branch schedules a meeting" in body


def test_the_month_says_it_is_empty_only_when_it_holds_no_meeting(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from dangjian.orglife.services import schedule_meeting

    path = f"/orgs/{world.branch.pk}/calendar/"
    client = Client()
    client.force_login(world.secretary)
    assert 'id="month-empty"' in client.get(path).content.decode()
    start = timezone.now() + timedelta(minutes=5)
    schedule_meeting(
        world.branch,
        {"kind": "theme_day", "topic": "主题党日", "starts_at": start, "ends_at": start + timedelta(hours=1)},
        acting_user=world.secretary,
    )
    month = timezone.localtime(start).strftime("%Y-%m")
    assert 'id="month-empty"' not in client.get(f"{path}?month={month}").content.decode()
