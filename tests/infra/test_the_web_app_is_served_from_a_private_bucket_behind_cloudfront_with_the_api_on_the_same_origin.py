"""The web front-end as deployed (build/dev/package/sam.json): one CloudFront origin for the app and the API.

`/app/*` comes from a private bucket that only this distribution may read (Origin Access
Control, `AWS:SourceArn`); everything else goes to the API Gateway stage over HTTPS, uncached;
both carry the same security headers; nothing answers `Access-Control-Allow-Origin: *`.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.infra.cfn import ACCOUNT, PARTITION, REGION, URL_SUFFIX, Evaluator

ISSUER = "https://id.example.gov.cn/realms/anhui"
DISTRIBUTION_DOMAIN = "d111111abcdef8.cloudfront.net"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS managed cache policy
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AWS managed origin request policy
ONE_YEAR = 365 * 24 * 3600
DOMAIN = {"WebDomainName": "ggfw.example.gov.cn", "WebCertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/1a2b"}


class WebEvaluator(Evaluator):
    """The shared evaluator, plus the attributes of the CloudFront resources and of a bucket's domains."""

    def getatt(self, logical: str, attribute: str) -> str:
        kind = self.resources[logical]["Type"]
        if kind == "AWS::CloudFront::Distribution" and attribute == "DomainName":
            return DISTRIBUTION_DOMAIN
        if kind == "AWS::CloudFront::Function" and attribute == "FunctionARN":
            return f"arn:{PARTITION}:cloudfront::{ACCOUNT}:function/{self.ref(logical)}"
        if kind == "AWS::S3::Bucket" and attribute == "RegionalDomainName":
            return f"{self.ref(logical)}.s3.{REGION}.{URL_SUFFIX}"
        return super().getatt(logical, attribute)


def deployed(sam: dict[str, Any], **parameters: str) -> WebEvaluator:
    """The template evaluated as if deployed with these parameter values (the issuer always set)."""
    template = copy.deepcopy(sam)
    for name, value in {"IdentityProviderIssuer": ISSUER, **parameters}.items():
        template["Parameters"][name]["Default"] = value
    return WebEvaluator(template)


def config(sam: dict[str, Any]) -> dict[str, Any]:
    return sam["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]


def behaviours(sam: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Path pattern -> behaviour; the default behaviour under "*"."""
    found = {b["PathPattern"]: b for b in config(sam).get("CacheBehaviors", [])}
    found["*"] = config(sam)["DefaultCacheBehavior"]
    return found


def origins(sam: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["Id"]: o for o in config(sam)["Origins"]}


def headers_policy(sam: dict[str, Any]) -> dict[str, Any]:
    return sam["Resources"]["WebSecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]


def content_security_policy(sam: dict[str, Any]) -> dict[str, list[str]]:
    csp = headers_policy(sam)["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    assert csp["Override"] is True
    text = deployed(sam).eval(csp["ContentSecurityPolicy"])
    directives = {}
    for directive in filter(None, (d.strip() for d in text.split(";"))):
        name, *sources = directive.split()
        assert name not in directives, f"{name} twice"
        directives[name] = sources
    return directives


# --- the bucket --------------------------------------------------------------------------


def test_the_web_bucket_is_private_encrypted_and_owned_by_its_account(sam: dict[str, Any]) -> None:
    props = sam["Resources"]["WebBucket"]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"]
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "WebsiteConfiguration" not in props  # served by CloudFront through S3's API, never as a public website


def test_only_the_distribution_may_read_the_web_bucket_and_only_over_tls(sam: dict[str, Any]) -> None:
    evaluator = deployed(sam)
    policy = sam["Resources"]["WebBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "WebBucket"}
    statements = policy["PolicyDocument"]["Statement"]
    bucket = evaluator.getatt("WebBucket", "Arn")

    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] in ("s3:GetObject", ["s3:GetObject"])  # read objects; not list, not write
    assert evaluator.eval(allow["Resource"]) == f"{bucket}/app/*"
    condition = allow["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert condition == {"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${WebDistribution}"}
    assert evaluator.eval(condition) == f"arn:{PARTITION}:cloudfront::{ACCOUNT}:distribution/WebDistribution"

    tls = [s for s in statements if s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}]
    assert tls and tls[0]["Effect"] == "Deny" and tls[0]["Principal"] == "*" and tls[0]["Action"] == "s3:*"
    assert set(evaluator.eval(tls[0]["Resource"])) == {bucket, f"{bucket}/*"}


def test_the_distribution_reaches_the_bucket_through_origin_access_control(sam: dict[str, Any]) -> None:
    web = origins(sam)["web"]
    assert web["DomainName"] == {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]}
    assert web["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert web["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy identity beside the access control
    access = sam["Resources"]["WebOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (access["OriginAccessControlOriginType"], access["SigningBehavior"], access["SigningProtocol"]) == ("s3", "always", "sigv4")


# --- the behaviours ----------------------------------------------------------------------


def test_the_app_comes_from_the_bucket_and_everything_else_from_the_api(sam: dict[str, Any]) -> None:
    found = behaviours(sam)
    assert set(found) == {"/app/*", "*"}
    app, api = found["/app/*"], found["*"]
    assert app["TargetOriginId"] == "web"
    assert app["CachePolicyId"] == CACHING_OPTIMIZED
    assert set(app["AllowedMethods"]) == {"GET", "HEAD"}
    assert api["TargetOriginId"] == "api"
    assert api["CachePolicyId"] == CACHING_DISABLED  # answers are per caller: never cached
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER  # Authorization and the body go on; Host is the API's
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["ViewerProtocolPolicy"] == "https-only"  # a token is never sent in clear to be redirected
    assert app["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")


def test_the_api_origin_is_the_api_gateway_stage_over_https_only(sam: dict[str, Any]) -> None:
    api = origins(sam)["api"]
    assert api["DomainName"] == {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert sam["Resources"]["RestAPI"]["Type"] == "AWS::Serverless::Api"
    assert api["OriginPath"] == "/" + sam["Resources"]["RestAPI"]["Properties"]["StageName"]
    custom = api["CustomOriginConfig"]
    assert custom["OriginProtocolPolicy"] == "https-only"
    assert custom["OriginSSLProtocols"] == ["TLSv1.2"]


def test_both_behaviours_run_the_viewer_request_function(sam: dict[str, Any]) -> None:
    for pattern, behaviour in behaviours(sam).items():
        assert behaviour["FunctionAssociations"] == [
            {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["WebViewerRequestFunction", "FunctionARN"]}}
        ], pattern


def test_both_behaviours_carry_the_security_headers(sam: dict[str, Any]) -> None:
    for pattern, behaviour in behaviours(sam).items():
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeadersPolicy"}, pattern


# --- the headers -------------------------------------------------------------------------


def test_the_content_security_policy_allows_no_inline_script_and_no_framing(sam: dict[str, Any]) -> None:
    csp = content_security_policy(sam)
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]  # Vant sets inline styles; styles cannot run code
    assert not [d for d, sources in csp.items() if "'unsafe-eval'" in sources or "*" in sources]


def test_the_browser_may_connect_only_to_the_api_the_materials_bucket_and_the_identity_provider(sam: dict[str, Any]) -> None:
    csp = content_security_policy(sam)
    bucket = deployed(sam).ref("MaterialsBucket")
    materials = {
        f"https://{bucket}.s3.{REGION}.{URL_SUFFIX}",  # the bucket's regional domain (virtual-hosted links)
        f"https://s3.{REGION}.{URL_SUFFIX}/{bucket}",  # a presigned POST in path style: exactly the bucket
        f"https://s3.{REGION}.{URL_SUFFIX}/{bucket}/",  # a presigned GET in path style: the bucket's objects only
    }
    assert set(csp["connect-src"]) == {"'self'", *materials, "https://id.example.gov.cn"}
    assert set(csp["img-src"]) == {"'self'", "data:", "blob:", *materials}


def test_hsts_nosniff_referrer_policy_and_no_frames(sam: dict[str, Any]) -> None:
    security = headers_policy(sam)["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= ONE_YEAR and hsts["IncludeSubdomains"] is True and hsts["Override"] is True
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["ReferrerPolicy"] == {"ReferrerPolicy": "strict-origin-when-cross-origin", "Override": True}
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert "CorsConfig" not in headers_policy(sam)  # same origin: no CORS headers at all


# --- no wildcard CORS ------------------------------------------------------------------------


def test_the_materials_bucket_takes_browser_uploads_only_from_the_web_app(sam: dict[str, Any]) -> None:
    (rule,) = sam["Resources"]["MaterialsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert deployed(sam).eval(rule["AllowedOrigins"]) == [f"https://{DISTRIBUTION_DOMAIN}"]
    with_domain = deployed(sam, **DOMAIN)
    assert set(with_domain.eval(rule["AllowedOrigins"])) == {"https://ggfw.example.gov.cn", f"https://{DISTRIBUTION_DOMAIN}"}
    assert set(rule["AllowedMethods"]) <= {"GET", "PUT", "POST"} and "POST" in rule["AllowedMethods"]
    assert "*" not in rule["AllowedHeaders"]
    assert "UploadOrigins" not in sam["Parameters"]  # the old `*` default is gone


def test_nothing_in_the_template_allows_every_origin(sam: dict[str, Any]) -> None:
    text = json.dumps(sam)
    assert "Access-Control-Allow-Origin" not in text  # no gateway response, no integration sets it
    for logical, resource in sam["Resources"].items():
        for rule in resource.get("Properties", {}).get("CorsConfiguration", {}).get("CorsRules", []):
            assert "*" not in json.dumps(rule["AllowedOrigins"]), logical
    for path, methods in sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"].items():
        assert "options" not in methods, f"{path}: Chalice adds OPTIONS only for CORS"


def test_the_api_answers_no_cors_header_to_another_origin(stack: Any) -> None:
    from chalice.test import Client

    import app as module

    assert module.app.api.cors is False
    assert not [(path, method) for path, entries in module.app.routes.items() for method, entry in entries.items() if entry.cors]
    with Client(module.app) as client:
        response = client.http.get("/health", headers={"Origin": "https://evil.example.com"})
    assert response.status_code == 200
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


# --- the address -------------------------------------------------------------------------


def test_the_stack_outputs_the_web_apps_url(sam: dict[str, Any]) -> None:
    outputs = sam["Outputs"]
    assert deployed(sam).eval(outputs["WebURL"]["Value"]) == f"https://{DISTRIBUTION_DOMAIN}/app/"
    with_domain = deployed(sam, **DOMAIN)
    assert with_domain.eval(outputs["WebURL"]["Value"]) == "https://ggfw.example.gov.cn/app/"
    for name in ("WebBucketName", "WebDistributionId", "WebSignInIssuer", "WebSignInClientId"):
        assert name in outputs, name  # what `make publish-web` reads


@pytest.mark.parametrize(("domain", "expected"), [("", {"CloudFrontDefaultCertificate": True}), ("ggfw.example.gov.cn", None)])
def test_a_domain_of_its_own_gets_its_certificate_and_tls_1_2_or_later(sam: dict[str, Any], domain: str, expected: Any) -> None:
    certificate = "arn:aws:acm:us-east-1:111122223333:certificate/1a2b" if domain else ""
    evaluator = deployed(sam, WebDomainName=domain, WebCertificateArn=certificate)
    viewer = evaluator.eval(config(sam)["ViewerCertificate"])
    if expected is not None:
        assert viewer == expected
        assert evaluator.eval(config(sam)["Aliases"]) == ""  # AWS::NoValue
    else:
        assert viewer == {"AcmCertificateArn": certificate, "SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}
        assert evaluator.eval(config(sam)["Aliases"]) == [domain]


def test_the_app_signs_in_with_the_issuer_the_authorizer_checks(sam: dict[str, Any]) -> None:
    """`make publish-web` writes these outputs into /app/config.json."""
    outputs = sam["Outputs"]
    authorizer = sam["Resources"]["ApiAuthorizer"]["Properties"]["Environment"]["Variables"]
    assert outputs["WebSignInIssuer"]["Value"] == authorizer["SSCARD_AUTH_ISSUER"] == {"Ref": "IdentityProviderIssuer"}
    client_id = outputs["WebSignInClientId"]["Value"]
    assert deployed(sam, IdentityProviderAudience="sscard-api").eval(client_id) == "sscard-api"
    assert deployed(sam, IdentityProviderAudience="sscard-api", WebClientId="sscard-web").eval(client_id) == "sscard-web"
