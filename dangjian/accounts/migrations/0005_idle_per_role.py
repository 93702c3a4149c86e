# Idle session limits per role: members get their own (longer) limit; the staff limit keeps its
# column and is brought within its new bounds (5–30 minutes).

from django.db import migrations, models


def clamp_staff_limit(apps, schema_editor):  # type: ignore[no-untyped-def]
    LoginPolicy = apps.get_model("accounts", "LoginPolicy")
    LoginPolicy.objects.filter(idle_minutes__gt=30).update(idle_minutes=30)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_activation_code_attempts"),
    ]

    operations = [
        migrations.AddField(
            model_name="loginpolicy",
            name="member_idle_minutes",
            field=models.PositiveSmallIntegerField(
                default=120, verbose_name="idle session expiry for members (minutes)"
            ),
        ),
        migrations.RunPython(clamp_staff_limit, migrations.RunPython.noop),
    ]
