from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0007_value_history_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="target",
            index=models.Index(fields=["period"], name="target_period_idx"),
        ),
    ]
