"""The deployment zip stays small: the AWS SDK comes from the Lambda runtime, and test tools never ship."""

from __future__ import annotations

import zipfile
from pathlib import Path

from infra import build

MAX_ZIP_BYTES = 10 * 1000 * 1000  # issue 10: the zip <= 10 MB


def _top_level_names(package_dir: Path) -> set[str]:
    with zipfile.ZipFile(package_dir / "deployment.zip") as archive:
        return {build.distribution_of(name) for name in archive.namelist()}


def test_the_zip_has_no_aws_sdk_and_no_test_tools(package_dir: Path) -> None:
    shipped = _top_level_names(package_dir)
    assert not shipped & {"boto3", "botocore", "s3transfer"}, sorted(shipped & {"boto3", "botocore", "s3transfer"})
    assert not shipped & {"moto", "pytest", "hypothesis", "_pytest"}


def test_the_zip_is_under_10_mb(package_dir: Path) -> None:
    size = (package_dir / "deployment.zip").stat().st_size
    assert size <= MAX_ZIP_BYTES, f"deployment.zip is {size / 1e6:.1f} MB"


def test_the_zip_still_carries_what_the_sdk_does_not_bring(package_dir: Path) -> None:
    # jmespath is Powertools' own requirement as well as botocore's: it ships, pinned by the zip's Powertools
    assert {"jmespath", "aws_lambda_powertools", "pydantic", "pydantic_core"} <= _top_level_names(package_dir)


def test_naming_part_of_the_sdk_in_the_requirements_ships_it_on_purpose() -> None:
    assert build.runtime_provided("pydantic>=2\nPyJWT\n") == build.RUNTIME_PROVIDED
    assert build.runtime_provided("pydantic>=2\n# botocore comes from the runtime\n") == build.RUNTIME_PROVIDED
    assert build.runtime_provided("pydantic>=2\nbotocore==1.35.0\n") == frozenset()
    assert build.runtime_provided("Python-DateUtil>=2.9\n") == frozenset()


def test_files_are_counted_to_theirdistribution_of() -> None:
    assert build.distribution_of("botocore/data/dynamodb/2012-08-10/service-2.json.gz") == "botocore"
    assert build.distribution_of("python_dateutil-2.9.0.post0.dist-info/RECORD") == "python_dateutil"
    assert build.distribution_of("six.py") == "six"
    assert build.distribution_of("jmespath-1.1.0.data/scripts/jp.py") == "jmespath"
