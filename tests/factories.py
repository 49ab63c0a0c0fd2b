"""factory_boy factories, one per model; related objects stay in one project."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects.models import Membership, Project, Role, User
from submissions.models import Submission, SubmissionSource

DEFAULT_PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    name = factory.Sequence(lambda n: f"Admin {n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    credits = 100


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    role = Role.OWNER


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    project = factory.SubFactory(ProjectFactory)
    source = SubmissionSource.API
