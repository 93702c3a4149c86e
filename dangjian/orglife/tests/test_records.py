"""Minutes as sanitized rich text and resolutions one a line: the sanitizer, the service, the page."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.models import AuditEntry
from dangjian.orglife import richtext
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import MINUTES_MAX_CHARS, update_meeting
from dangjian.testing.world import World

from .helpers import client_for, closed_meeting, past_meeting

HOSTILE = (
    '<p onclick="steal()">会议<b>决定</b><script>alert(1)</script></p>'
    '<img src="x" onerror="alert(2)">'
    '<a href="javascript:alert(3)">链接</a>'
    "<style>body{display:none}</style>"
    '<h3 style="color:red" class="x">议题</h3><!-- note -->'
    "<iframe src='https://evil.example'></iframe>"
)


def test_sanitizer_strips_what_runs_and_keeps_formatting() -> None:
    clean = richtext.sanitize(HOSTILE)
    for bad in (
        "script",
        "alert",
        "onerror",
        "onclick",
        "javascript",
        "<img",
        "<a",
        "style",
        "iframe",
        "note",
    ):
        assert bad not in clean, bad
    assert clean == "<p>会议<b>决定</b></p>链接<h3>议题</h3>"
    kept = (
        "<h4>一</h4><ul><li><strong>甲</strong></li></ul><ol><li><em>乙</em></li></ol>"
        "<blockquote><u>丙</u></blockquote>"
    )
    assert richtext.sanitize(kept) == kept
    table = "<table><thead><tr><th>项</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    assert richtext.sanitize(table) == table


def test_plain_text_becomes_paragraphs_and_is_escaped() -> None:
    assert (
        richtext.to_html("一、传达精神\n二、讨论\n\n散会") == "<p>一、传达精神<br>二、讨论</p>\n\n<p>散会</p>"
    )
    assert richtext.to_html("a < b & c") == "<p>a &lt; b &amp; c</p>"
    assert richtext.to_html("   ") == ""
    # Escaped markup stays text on every pass (it is put into the editor as HTML).
    once = richtext.to_html("&lt;img src=x onerror=alert(1)&gt;")
    assert "<img" not in once and richtext.to_html(once) == once


def test_update_sanitizes_minutes_and_trims_resolutions(world: World) -> None:
    m = past_meeting(world)
    update_meeting(
        m,
        {"minutes": HOSTILE, "resolutions": "  同意张三转正 \n\n  推选李四为党小组长\n"},
        acting_user=world.secretary,
        expected_version=m.version,
    )
    m.refresh_from_db()
    assert m.minutes == "<p>会议<b>决定</b></p>链接<h3>议题</h3>"
    assert m.resolutions == "同意张三转正\n推选李四为党小组长"
    assert m.resolution_list == ["同意张三转正", "推选李四为党小组长"]
    entry = AuditEntry.objects.get(action="meeting.update", success=True)
    assert entry.changes["resolutions"] == ["", "同意张三转正\n推选李四为党小组长"]


def test_too_long_minutes_and_closed_records_are_refused(world: World) -> None:
    m = past_meeting(world)
    with pytest.raises(ValidationError) as error:
        update_meeting(m, {"minutes": "字" * (MINUTES_MAX_CHARS + 1)}, acting_user=world.secretary)
    assert "minutes" in error.value.message_dict
    closed = closed_meeting(world)
    with pytest.raises(ValidationError) as locked:
        update_meeting(closed, {"resolutions": "改写"}, acting_user=world.secretary)
    assert locked.value.code == "closed"
    assert Meeting.objects.get(pk=closed.pk).resolutions == ""


def test_page_saves_rich_minutes_and_shows_them_sanitized(world: World) -> None:
    m = past_meeting(world)
    client = client_for(world.secretary)
    url = f"/meetings/{m.pk}/"
    page = client.get(url).content.decode()
    assert 'contenteditable="true"' in page and 'name="minutes"' in page and 'name="resolutions"' in page
    response = client.post(
        f"{url}minutes/",
        {"minutes": HOSTILE, "resolutions": "同意张三转正\n推选李四", "version": m.version},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "<p>会议<b>决定</b></p>" in page and "<li>同意张三转正</li><li>推选李四</li>" in page
    assert "alert(" not in page and "onerror" not in page
    # The editor's source holds the sanitized HTML escaped, so the script sees exactly that.
    assert "&lt;p&gt;会议&lt;b&gt;决定&lt;/b&gt;&lt;/p&gt;" in page


def test_old_plain_text_rows_are_shown_safely(world: World) -> None:
    m = past_meeting(world)
    Meeting.objects.filter(pk=m.pk).update(minutes="第一项\n<script>alert(1)</script>第二项")
    page = client_for(world.member_user).get(f"/meetings/{m.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "第二项" in page


def test_overlapping_edits_second_is_refused_and_keeps_its_text(world: World) -> None:
    m = past_meeting(world)
    first, second = client_for(world.secretary), client_for(world.county_staff)
    url = f"/meetings/{m.pk}/minutes/"
    assert first.post(url, {"minutes": "<p>甲的记录</p>", "version": m.version}).status_code == 302
    response = second.post(url, {"minutes": "<p>乙的记录</p>", "version": m.version})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this meeting meanwhile" in body
    assert "乙的记录" in body  # what the second organizer typed is still in the editor
    assert Meeting.objects.get(pk=m.pk).minutes == "<p>甲的记录</p>"


def test_minutes_form_needs_change_scope(world: World) -> None:
    m = past_meeting(world)
    assert (
        client_for(world.member_user).post(f"/meetings/{m.pk}/minutes/", {"minutes": "x"}).status_code == 404
    )
    assert client_for(world.outsider).post(f"/meetings/{m.pk}/minutes/", {"minutes": "x"}).status_code == 404
    assert Meeting.objects.get(pk=m.pk).minutes == ""
