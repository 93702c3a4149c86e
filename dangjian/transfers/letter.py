"""The introduction letter (党员组织关系介绍信) as PDF, with its receipt (回执) to cut off and return.

The wording follows the prescribed paper form and is always Chinese, whatever the reader's
language: the letter is an official document for a receiving organization, possibly in another
province, not a page of this site. Personal identifiers are masked as on every page; the
receiving organization checks the member's ID card in person.
"""

from datetime import date

from django.db.models import Max
from django.template.loader import render_to_string

from dangjian.dues.models import DuesPayment, PaymentKind

from .models import Transfer

LETTER_CSS = """
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 12.5pt; line-height: 1.9; }
h1 { font-size: 19pt; text-align: center; letter-spacing: 2pt; margin: 0 0 2mm; }
.no { text-align: right; margin: 0 0 6mm; }
.body p { margin: 0; text-indent: 2em; }
.body p.to { text-indent: 0; }
.sign { text-align: right; margin-top: 10mm; }
.cut { border-top: 1pt dashed #555; margin: 14mm 0 6mm; text-align: center; font-size: 9pt; color: #555; }
h2 { font-size: 15pt; text-align: center; margin: 0 0 4mm; }
.blank { display: inline-block; min-width: 30mm; border-bottom: 0.6pt solid #333; }
"""
CATEGORY = {"full": "正式党员", "probationary": "预备党员"}
GENDER = {"male": "男", "female": "女"}


def chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def dues_paid_through(transfer: Transfer) -> date | None:
    """The last month the member's regular dues are paid for (the letter states it)."""
    last: date | None = DuesPayment.objects.filter(
        member=transfer.member_id, kind=PaymentKind.REGULAR, voided_at__isnull=True
    ).aggregate(last=Max("period_to"))["last"]
    return last


def letter_pdf(transfer: Transfer) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading Pango costs ~0.3 s at start-up

    member = transfer.member
    paid = dues_paid_through(transfer)
    context = {
        "t": transfer,
        "member": member,
        "category": CATEGORY.get(member.category, ""),
        "gender": GENDER.get(member.gender, ""),
        "sent": chinese_date(transfer.sent_on),
        "paid": f"{paid.year}年{paid.month}月" if paid else "",
    }
    html = render_to_string("transfers/pdf/letter.html", context)
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=LETTER_CSS)]) or b""
