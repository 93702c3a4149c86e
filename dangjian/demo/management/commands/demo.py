"""`dangjian demo --scale county|city|province [--seed N] [--if-empty] [--db-batch N]`

Loads deterministic demo data shaped like Hunan into an empty database: the organization tree,
party groups and members (ID numbers and phones encrypted, blind-indexed), one audit entry for the
load, and — in demo mode only (DANGJIAN_DEMO=1) — one account per persona: accounts with a
known password never exist outside demo mode.
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.compliance.services import load_rule_set
from dangjian.core import audit
from dangjian.core.scoping import SYSTEM
from dangjian.demo.accounts import accounts_report, create_demo_accounts, demo_grants
from dangjian.demo.activity import (
    create_demo_activity,
    create_demo_dues,
    create_demo_home_items,
    create_demo_leaders,
)
from dangjian.demo.campaigns import create_county_campaigns
from dangjian.demo.community import create_county_community
from dangjian.demo.development import create_county_development
from dangjian.demo.elections import create_county_terms, create_village_elections
from dangjian.demo.honours import create_county_honours
from dangjian.demo.life import create_county_life, measure_year
from dangjian.demo.loader import METHODS, load_plan, resolve_method
from dangjian.demo.online import create_county_online
from dangjian.demo.plan import SCALES, make_plan
from dangjian.demo.rectification import create_county_problems
from dangjian.demo.villagework import create_county_villagework
from dangjian.demo.weakorgs import create_county_weak
from dangjian.demo.workpoints import STANDING, work_points_text
from dangjian.organizations.models import Organization
from dangjian.orglife.tasks import due_day_before, due_unrecorded

# The county level of the demo tree (province 1, city 2): the personas' county gets a year of life.
COUNTY_DEPTH = 3


class Command(BaseCommand):
    help = (
        "Load demo data shaped like Hunan: county ≈ 1,900 organizations / 40,000 members, "
        "city ≈ 15,000 / 300,000, province ≈ 212,000 / 4.3 million. Same seed, same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="county",
            metavar="{county,city,province}",
            help="how much to generate (default: county)",
        )
        parser.add_argument("--seed", type=int, default=2017, help="random seed (default: 2017)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="if organizations exist already, generate nothing and print the accounts",
        )
        parser.add_argument(
            "--db-batch", type=int, default=5000, metavar="N", help="rows per bulk insert (default: 5000)"
        )
        parser.add_argument(
            "--method",
            choices=METHODS,
            default="auto",
            help="how members are written: bulk_create (orm), executemany or PostgreSQL COPY; "
            "auto picks COPY on PostgreSQL, executemany elsewhere (2-3 times faster than orm)",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="reference date for terms and ages (default: today)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        existing = Organization.objects.count()
        if existing:
            if not opts["if_empty"]:
                raise CommandError(
                    f"The database already holds {existing:,} organizations; the demo loads into an "
                    "empty database only (use --if-empty to skip loading)."
                )
            self.stdout.write(f"The database already holds {existing:,} organizations: nothing generated.")
            self._print_accounts()
            return
        if opts["db_batch"] < 1:
            raise CommandError("--db-batch must be at least 1.")
        try:
            method = resolve_method(opts["method"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        scale = SCALES[opts["scale"]]
        plan = make_plan(scale, opts["seed"], opts["today"])
        self.stdout.write(
            f"Generating the {scale.name} demo, seed {plan.seed}, reference date {plan.today}: "
            f"~{scale.orgs:,} organizations and ~{scale.members:,} members in {len(plan.specs)} chunks; "
            f"members written with {method}, {opts['db_batch']:,} rows per batch."
        )
        stats = load_plan(plan, batch_size=opts["db_batch"], method=method, progress=self.stdout.write)
        root = Organization.objects.get_root_nodes().first()
        audit.record(
            "demo.load",
            actor=SYSTEM,
            org_path=root.path if root else "",
            object_type="demo",
            object_repr=f"demo {scale.name}",
            detail=(
                f"scale={scale.name} seed={plan.seed} today={plan.today} organizations={stats.orgs} "
                f"party_groups={stats.party_groups} members={stats.members} method={stats.method} "
                f"seconds={stats.seconds:.1f}"
            ),
        )
        self.stdout.write(self.style.SUCCESS(f"Loaded {stats.summary()}."))

        if settings.DEMO_MODE:
            try:
                grants = create_demo_accounts()
            except LookupError as exc:
                raise CommandError(f"Demo accounts not created: {exc}") from exc
            branch = next(g.organization for g in grants if g.user.username == "secretary")
            meetings = create_demo_activity(branch)
            leaders = create_demo_leaders(branch)
            payments = create_demo_dues(branch)
            points = create_demo_home_items(branch)
            county = Organization.objects.get_ancestors(branch).filter(depth=COUNTY_DEPTH).first()
            profiles: dict[int, str] = {}
            life = create_county_life(county, skip=branch, profiles=profiles) if county is not None else {}
            online = create_county_online(county, profiles, lively=branch) if county is not None else {}
            problems = create_county_problems(county, profiles, lively=branch) if county is not None else 0
            sent = create_county_campaigns(county, profiles, lively=branch) if county is not None else {}
            honours = create_county_honours(county, lively=branch) if county is not None else 0
            weak = create_county_weak(county, lively=branch) if county is not None else {}
            terms = create_county_terms(county, lively=branch) if county is not None else 0
            developing = create_county_development(county, lively=branch) if county is not None else None
            villages = create_village_elections(county) if county is not None else 0
            villagework = create_county_villagework(county, lively=branch) if county is not None else {}
            theme = create_county_community(county, lively=branch) if county is not None else {}
            # What the reminder worker would send today, so the demo's inbox is not empty
            # without it running.
            due_day_before(timezone.now())
            due_unrecorded(timezone.now())
            self.stdout.write(
                f"Activity of {branch.name}: a study plan, the theme day, {meetings} meetings, "
                f"{payments} dues payments, {points} point entries; "
                f"{leaders} leading cadres of the committee above."
            )
            if life:
                self.stdout.write(
                    f"Activity of the other branches of {county.name}: {life['meetings']} meetings; "
                    f"{life['steady']} steady, {life['lagging']} lagging and {life['weak']} weak branches."
                )
            if online:
                self.stdout.write(
                    f"Online space of {county.name}: {online['notices']} notices read "
                    f"{online['reads']} times, {online['threads']} discussion threads "
                    f"({online['posts']} posts), {online['polls']} closed polls "
                    f"({online['ballots']} ballots), {online['feed']} activity feed items."
                )
            if problems:
                self.stdout.write(f"Problem lists of {county.name}: {problems} problems to rectify.")
            if sent:
                self.stdout.write(
                    f"Sent down by {county.name}: {sent['campaigns']} campaigns and tasks, "
                    f"{sent['reports']} reports, {sent['cases']} cases."
                )
            if honours:
                self.stdout.write(
                    f"Honours of {county.name}: the 七一 call with {honours} nominations, published; "
                    "one call still open."
                )
            if terms:
                self.stdout.write(f"Term changes of {county.name}: {terms} under way or done this year.")
            if villages:
                self.stdout.write(f"Village and community elections planned in {county.name}: {villages}.")
            if villagework:
                self.stdout.write(
                    f"First secretaries of {county.name}: {villagework['villages']} poverty-alleviation "
                    f"villages, {villagework['assessments']} quarterly assessments, "
                    f"{villagework['without']} without a first secretary."
                )
            if developing is not None:
                self.stdout.write(
                    f"Member development in {county.name}: {developing.people} people, "
                    f"{developing.steps} steps recorded in {developing.seconds:.1f} s; "
                    f"by stage {developing.stages}."
                )
            if theme:
                self.stdout.write(
                    f"Theme practice of {county.name}: {theme.get('registrations', 0)} in-service members "
                    f"registered with communities, {theme.get('confirmed', 0)} services confirmed, "
                    f"{theme.get('commitments', 0)} commitments of {branch.name}."
                )
            if weak:
                self.stdout.write(
                    f"Weak and lax organizations of {county.name}: {weak['candidates']} candidates "
                    f"screened, {weak['listed']} listed, {weak['removed']} removed; "
                    f"{weak['last_year']} listed last year."
                )
            self._work_points()
            self.stdout.write("")
            self.stdout.write(accounts_report(grants))
        else:
            self.stdout.write("No accounts were created (set DANGJIAN_DEMO=1 to create the demo accounts).")

    def _work_points(self) -> None:
        """The shipped standing rule set and the year's work points (the 2017 Hunan points
        re-dated to this year, without the rules the standing set has already), measured for
        this year, so the checklists and the supervision dashboards have something to show."""
        standing, _created = load_rule_set(STANDING.read_text(encoding="utf-8"), acting_user=SYSTEM)
        points, _created = load_rule_set(
            work_points_text(timezone.localdate().year), source_name="hunan-2017.yaml", acting_user=SYSTEM
        )
        results = measure_year()
        self.stdout.write(
            f"Work points: {standing.name} and {points.name}, {results} results, "
            "measured at each month's end."
        )

    def _print_accounts(self) -> None:
        grants = demo_grants()
        if grants:
            self.stdout.write(accounts_report(grants))
        else:
            self.stdout.write(
                "There are no demo accounts (load into an empty database with DANGJIAN_DEMO=1 "
                "to create them)."
            )
