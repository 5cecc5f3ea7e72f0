"""Uploaded documents and images in an S3-compatible bucket, as production keeps them on several servers.

The production settings choose the bucket from the environment; the upload itself runs against moto's
in-process S3 (no bucket service is reachable from the test machine), through django-storages and
boto3 exactly as production calls them.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from moto import mock_aws
from wagtail.documents import get_document_model

from tests.test_security import PRODUCTION_ENVIRONMENT, outside_environment

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUCKET = "lms-media"
S3_ENVIRONMENT = {
    "DJANGO_S3_BUCKET": BUCKET,
    "DJANGO_S3_REGION": "eu-north-1",
    "DJANGO_S3_CUSTOM_DOMAIN": "media.lms.example.no",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 - moto's
}


def production_storage_settings(extra):
    """STORAGES and the image sources of the policy, as the production settings make them from `extra`."""
    code = (
        "import json; from django.conf import settings; print(json.dumps({'storages': settings.STORAGES, "
        "'img_src': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))"
    )
    result = subprocess.run(  # noqa: S603 - the command is this file's own
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=PROJECT_DIR,
        env={**outside_environment(), **PRODUCTION_ENVIRONMENT, **extra},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_media_on_disk_by_default():
    chosen = production_storage_settings({})
    assert chosen["storages"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert chosen["img_src"] == ["'self'", "data:"]


def test_production_keeps_media_in_the_bucket_when_one_is_named():
    chosen = production_storage_settings(S3_ENVIRONMENT)
    default = chosen["storages"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == BUCKET
    assert default["OPTIONS"]["file_overwrite"] is False
    assert default["OPTIONS"]["querystring_auth"] is True
    # Images are shown from the bucket's address, so the Content-Security-Policy names it.
    assert "https://media.lms.example.no" in chosen["img_src"]


@pytest.fixture
def bucket(settings):
    with mock_aws():
        os.environ.update(
            {key: S3_ENVIRONMENT[key] for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        )
        boto3.client("s3", region_name="eu-north-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "eu-north-1",
                    "default_acl": None,
                    "file_overwrite": False,
                    "querystring_auth": True,
                },
            },
        }
        yield boto3.client("s3", region_name="eu-north-1")


@pytest.mark.django_db
def test_a_document_goes_to_the_bucket_and_is_served_through_a_signed_link(bucket):
    assert storages["default"].__class__.__name__ == "S3Storage"
    Document = get_document_model()
    document = Document(title="Kursprogram")
    document.file.save("kursprogram.pdf", ContentFile(b"%PDF-1.4 demo"), save=False)
    document.save()

    stored = bucket.get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read()
    assert stored == b"%PDF-1.4 demo"
    url = document.file.url
    assert BUCKET in url and "Signature" in url
    # A second file of the same name is kept beside the first, never over it.
    again = Document(title="Kursprogram")
    again.file.save("kursprogram.pdf", ContentFile(b"%PDF-1.4 other"), save=False)
    assert again.file.name != document.file.name
