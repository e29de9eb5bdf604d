"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from performance import access
from performance.models import Directorate, Team, TeamMembership
from performance.roles import Role

PASSWORD = "correct-horse-battery"


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Directorate {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda team: slugify(team.name))
    directorate = factory.SubFactory(DirectorateFactory)


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `roles=[Role.X]` puts them in groups, `teams=[team]` makes them members."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"officer{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Officer"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.gov.uk")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set([access.group_for(Role(role)) for role in extracted])
        if create:
            self.save()

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            for team in extracted:
                TeamMembership.objects.create(user=self, team=team)
