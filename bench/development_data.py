"""Generate a province's member-development pipeline (发展党员) in a loaded PostgreSQL database:
people at every stage in every branch, sized like a real province — about 200,000 activists and
30,000 admissions a year, with three years of admitted people kept — and the step records each
stage implies (steps 1 to the person's last, one half-yearly assessment per half year as an
activist).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_province \
    DANGJIAN_VAR_DIR=/work/bench_var/dj_province python bench/development_data.py [--replace]

How it sizes a branch: about one person in development for every ten members on its roll (a
province of 4.3 million members gets ~450,000 people: 22 % applicants, 44 % activists, 9 %
development candidates, 2 % in admission, 20 % admitted over three years, 3 % ended), decided per
branch and person by `hashint8`, so the same database always gets the same pipeline.

Every row is what the services would leave: dates in order and in the past, due dates from the
rules (talk a month after the application, the next assessment half a year on, approval three
months after the vote), the stage and last step matching the steps written. The ID numbers and
phones are real ciphertexts (sealed here under the fields' contexts, 1,000 distinct values
reused) with distinct blind indexes, so the one-open-development-per-person constraint holds; the
people are not members and no member is created for the admitted (the board and the plan read
the development tables only).

Loaded server-side in `INSERT … SELECT` statements (people, steps, then this year's plan of every
grassroots committee) in one transaction.
"""

import argparse
import sys
import time

from _harness import raw, setup_django

# Shares of the people of a branch, by stage, in thousandths (cumulative bounds below).
STAGES = [
    ("applicant", 220),
    ("activist", 660),
    ("candidate", 750),
    ("admission", 770),
    ("admitted", 970),
    ("ended", 1000),
]

PEOPLE = """
WITH branch AS (
    SELECT o.id, count(m.id) AS n FROM organizations_organization o
    JOIN members_member m ON m.organization_id = o.id AND m.status <> 'left'
    WHERE o.kind IN ('branch', 'joint_branch') GROUP BY o.id
), person AS (
    SELECT b.id AS org_id, g.i, abs(hashint8(b.id * 1000 + g.i)) AS h
    FROM branch b,
         generate_series(
             1, (b.n / 10 + CASE WHEN abs(hashint8(b.id)) %% 10 < b.n %% 10 THEN 1 ELSE 0 END)::int
         ) g(i)
), staged AS (
    SELECT p.*, CASE {stage_case} END AS stage,
           %(today)s::date - ((p.h / 1000 %% 1000) + 1)::int AS last_on
    FROM person p
), dated AS (
    SELECT s.*,
        -- The application date goes back far enough for the steps of the stage.
        s.last_on - CASE s.stage
            WHEN 'applicant' THEN 20
            WHEN 'activist' THEN 60 + (s.h / 7 %% 300)::int
            WHEN 'candidate' THEN 460 + (s.h / 7 %% 200)::int
            WHEN 'admission' THEN 560 + (s.h / 7 %% 100)::int
            WHEN 'admitted' THEN 640
            ELSE 200 END AS applied_on,
        CASE s.stage
            WHEN 'applicant' THEN 1 + (s.h / 11 %% 2)::int
            WHEN 'activist' THEN 5 + (s.h / 11 %% 2)::int
            WHEN 'candidate' THEN 9 + (s.h / 11 %% 3)::int
            WHEN 'admission' THEN 13 + (s.h / 11 %% 4)::int
            WHEN 'admitted' THEN 18
            ELSE 3 END AS last_step
    FROM staged s
)
INSERT INTO development_applicant (
    organization_id, name, gender, birth_date, ethnicity, education, occupation,
    id_number, id_number_bidx, phone, phone_bidx, stage, last_step, applied_on,
    activist_on, candidate_on, voted_on, talk_due, assessment_due, approval_due,
    review_note, version, created_at, updated_at)
SELECT d.org_id, '发展对象' || d.org_id || '-' || d.i,
       CASE WHEN d.h %% 2 = 0 THEN 'female' ELSE 'male' END,
       d.applied_on - (6600 + d.h %% 7000)::int, '汉族',
       (ARRAY{educations})[1 + d.h / 13 %% {n_educations}],
       (ARRAY{occupations})[1 + d.h / 17 %% {n_occupations}],
       (%(ids)s::text[])[1 + d.h %% 1000], 'b' || d.org_id || '-' || d.i,
       (%(phones)s::text[])[1 + d.h %% 1000], 'p' || d.org_id || '-' || d.i,
       d.stage, d.last_step, d.applied_on,
       CASE WHEN d.last_step >= 3 THEN d.applied_on + 40 END,
       CASE WHEN d.last_step >= 7 THEN d.applied_on + 40 + 400 END,
       CASE WHEN d.last_step >= 15 THEN d.applied_on + 40 + 400 + 120 END,
       d.applied_on + 30,
       CASE WHEN d.stage = 'activist' THEN d.last_on + 182 END,
       CASE WHEN d.last_step >= 15 THEN d.applied_on + 40 + 400 + 120 + 91 END,
       '', 1, now(), now()
FROM dated d
"""

# Steps 1..last_step of each person (step 6 once per half year as an activist), dated in order
# between the application and the person's last date.
STEPS = """
INSERT INTO development_step (applicant_id, number, "on", actor, note, recorded_at,
    recommendation, conclusion, training_days, training_hours, form_number, reason)
SELECT a.id, g.n,
       LEAST(a.applied_on + CASE
           WHEN g.n <= 2 THEN 10 * g.n
           WHEN g.n <= 6 THEN 40 + (g.n - 3) * 20
           WHEN g.n <= 11 THEN 440 + (g.n - 7) * 5
           WHEN g.n <= 15 THEN 520 + (g.n - 12) * 10
           ELSE 560 + (g.n - 15) * 20 END, %(today)s::date),
       '', '', now(),
       CASE WHEN g.n = 3 THEN 'members' ELSE '' END,
       CASE WHEN g.n IN (10, 12, 13) THEN '同意' ELSE '' END,
       CASE WHEN g.n = 11 THEN 3 END, CASE WHEN g.n = 11 THEN 24 END,
       CASE WHEN g.n = 14 THEN 'ZY' || a.id ELSE '' END, ''
FROM development_applicant a, generate_series(1, a.last_step) g(n)
WHERE a.name LIKE '发展对象%%'
"""


# This year's plan of every grassroots committee (a committee with a branch directly under it):
# about the admissions it approved over the last year, the targets as shares of it.
PLANS = """
WITH committee AS (
    SELECT c.id, c.path, c.depth FROM organizations_organization c
    WHERE c.kind IN ('committee', 'working_committee') AND EXISTS (
        SELECT 1 FROM organizations_organization b
        WHERE b.depth = c.depth + 1 AND b.path LIKE c.path || '%%'
          AND b.kind IN ('branch', 'joint_branch', 'general_branch', 'temporary_branch'))
), admitted AS (
    SELECT c.id, count(a.id) AS n FROM committee c
    JOIN organizations_organization b ON b.path LIKE c.path || '%%' AND b.depth = c.depth + 1
    JOIN development_applicant a ON a.organization_id = b.id
    JOIN development_step s ON s.applicant_id = a.id AND s.number = 17
    WHERE s."on" > %(today)s::date - 365
    GROUP BY c.id
)
INSERT INTO development_plan (organization_id, year, admissions, women, under_35, frontline, college,
    nonpublic, note, version, created_at, updated_at)
SELECT c.id, %(year)s, coalesce(a.n, 0) + 2, (coalesce(a.n, 0) + 2) * 3 / 10,
       (coalesce(a.n, 0) + 2) * 4 / 10, (coalesce(a.n, 0) + 2) / 5, (coalesce(a.n, 0) + 2) / 3, 0,
       '', 1, now(), now()
FROM committee c LEFT JOIN admitted a ON a.id = c.id
ON CONFLICT DO NOTHING
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replace", action="store_true", help="delete the generated pipeline first")
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from dangjian.core.crypto import blind_index  # noqa: F401  (the contexts are the fields')
    from dangjian.core.fields import EncryptedTextField
    from dangjian.development.models import Applicant, Occupation
    from dangjian.members.models import Education

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (the province's scale)")
    existing = raw("SELECT count(*) FROM development_applicant WHERE name LIKE '发展对象%%'")[0][0]
    if existing and not args.replace:
        sys.exit(f"{existing:,} generated people already there; --replace to generate again")
    id_field = Applicant._meta.get_field("id_number")
    phone_field = Applicant._meta.get_field("phone")
    assert isinstance(id_field, EncryptedTextField) and isinstance(phone_field, EncryptedTextField)
    ids = [id_field.get_prep_value(f"430321{19900101 + i:08d}{i % 1000:03d}X"[:18]) for i in range(1000)]
    phones = [phone_field.get_prep_value(f"138{i:08d}") for i in range(1000)]
    bounds, previous = [], 0
    for stage, upper in STAGES:
        bounds.append(f"WHEN p.h %% 1000 < {upper} THEN '{stage}'")
        previous = upper
    assert previous == 1000
    educations = [e.value for e in Education]
    occupations = [o.value for o in Occupation]
    people = PEOPLE.format(
        stage_case=" ".join(bounds),
        educations="[" + ",".join(f"'{e}'" for e in educations) + "]",
        n_educations=len(educations),
        occupations="[" + ",".join(f"'{o}'" for o in occupations) + "]",
        n_occupations=len(occupations),
    )
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        if existing:
            cursor.execute(
                "DELETE FROM development_step WHERE applicant_id IN "
                "(SELECT id FROM development_applicant WHERE name LIKE '发展对象%%')"
            )
            cursor.execute("DELETE FROM development_applicant WHERE name LIKE '发展对象%%'")
            cursor.execute("DELETE FROM development_plan WHERE year = %s", [today.year])
        start = time.perf_counter()
        cursor.execute(people, {"today": today, "ids": ids, "phones": phones})
        print(f"people: {cursor.rowcount:,} in {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        cursor.execute(STEPS, {"today": today})
        print(f"steps: {cursor.rowcount:,} in {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        cursor.execute(PLANS, {"today": today, "year": today.year})
        print(f"plans: {cursor.rowcount:,} in {time.perf_counter() - start:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) development_applicant")
        cursor.execute("VACUUM (ANALYZE) development_step")
    for stage, count in raw(
        "SELECT stage, count(*) FROM development_applicant GROUP BY stage ORDER BY 2 DESC"
    ):
        print(f"  {stage}: {count:,}")


if __name__ == "__main__":
    main()
