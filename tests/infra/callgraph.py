"""Which AWS calls each Lambda function's code makes: a static analysis of the sources.

It starts from the project functions behind a handler (found by importing the app, see
`infra.build.discover`) and follows calls through the project's modules:

- plain calls and module attributes (`tasks.run_matter(...)`); classes (their `__init__`);
- methods through simple types: annotated parameters (`services: Services`), return
  annotations (`services() -> Services`), properties and cached properties with a
  return annotation (`Services.store -> DynamoCaseStore`), attributes set in
  `__init__` from annotated parameters or declared on the class, `self`;
- a method call on something of unknown type follows every project method of that
  name (an over-approximation), except the names of builtin containers' methods;
- a function or bound method used as a value (a callback) counts as called.

A call on an object of unknown type whose method name is an operation of an AWS
service the project may use (botocore's service models: `query`, `publish`,
`start_execution`...) is an AWS call. A few library classes that make AWS calls
themselves are listed in `LIBRARY_CALLS`. The resources a call touches come from the
settings it is tied to: settings named in the call, in its function, in the arguments
the function was called with, or in the arguments its object was constructed with
(`DynamoCaseStore(... settings.cases_table)`).

Limits (by design, the code base keeps to them): module-level code is not analysed
(clients are created lazily in `chalicelib.wiring`), nor `getattr`-computed calls.
"""

from __future__ import annotations

import ast
import builtins
import fcntl
import hashlib
import os
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

CACHE = Path(__file__).resolve().parents[2] / "build" / "callgraph"  # analyses kept by digest (`Analysis.aws_calls`)

SERVICES = (
    "dynamodb",
    "sns",
    "stepfunctions",
    "s3",
    "sqs",
    "cloudwatch",
    "scheduler",
    "secretsmanager",
    "ssm",
    "kms",
    "lambda",
    "logs",
    "events",
)
IAM_PREFIX = {"stepfunctions": "states"}

# Operations whose IAM action is not `<prefix>:<Operation>`.
ACTION_EXCEPTIONS = {
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
    ("sns", "PublishBatch"): ("sns:Publish",),
}
# boto3's injected helpers (not in the service models).
INJECTED = {
    "batch_writer": ("dynamodb", "BatchWriteItem"),
    "upload_file": ("s3", "PutObject"),
    "upload_fileobj": ("s3", "PutObject"),
    "download_file": ("s3", "GetObject"),
    "download_fileobj": ("s3", "GetObject"),
    "generate_presigned_post": ("s3", "PutObject"),  # a presigned POST uploads with the signer's rights
    "generate_presigned_url": ("*", "<ClientMethod>"),  # the operation is its first argument
    "get_paginator": ("*", "<ClientMethod>"),
}
# The adapter behind each port in the deployed functions (chalicelib/wiring.py builds them): calls through a
# port's annotation are the adapter's calls.
DEPLOYED_ADAPTERS = {
    "chalicelib.ports:CaseStore": "chalicelib.adapters.dynamo_cases:DynamoCaseStore",
    "chalicelib.ports:Workflow": "chalicelib.adapters.workflow:StepFunctionsWorkflow",
    "chalicelib.ports:AccessLog": "chalicelib.adapters.access_log:DynamoAccessLog",
}
SDK_MODULES = frozenset({"boto3", "botocore", "aioboto3"})  # what they return stays "unknown": AWS calls
TRANSACT_ITEM_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}
# Library classes that call AWS themselves: constructor name -> (service, actions).
LIBRARY_CALLS = {
    "SecretsProvider": ("secretsmanager", ("secretsmanager:GetSecretValue",)),
    "DynamoDBPersistenceLayer": (
        "dynamodb",
        ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    ),
}
# Method names of builtin types: an unknown receiver with these is not followed by name.
BUILTIN_METHODS = frozenset(
    name for kind in (dict, list, str, set, bytes, tuple, int, float, frozenset) for name in dir(kind) if not name.startswith("__")
)


@cache
def aws_operations() -> dict[str, tuple[tuple[str, str], ...]]:
    """Python method name -> ((service, Operation), ...) over SERVICES (botocore models)."""
    import botocore.session
    from botocore import xform_name

    session = botocore.session.get_session()
    ops: dict[str, list[tuple[str, str]]] = {}
    for service in SERVICES:
        model = session.get_service_model(service)
        for operation in model.operation_names:
            ops.setdefault(xform_name(operation), []).append((service, operation))
    for method, pair in INJECTED.items():
        ops.setdefault(method, []).append(pair)
    return {k: tuple(v) for k, v in ops.items()}


def iam_actions(service: str, operation: str) -> tuple[str, ...]:
    if (service, operation) in ACTION_EXCEPTIONS:
        return ACTION_EXCEPTIONS[(service, operation)]
    return (f"{IAM_PREFIX.get(service, service)}:{operation}",)


@dataclass(frozen=True)
class AwsCall:
    service: str
    operation: str
    actions: tuple[str, ...]
    settings: frozenset[str]  # settings fields tying the call to resources
    keywords: frozenset[str]  # keyword names and literal dict keys of the call
    index: str | None  # IndexName, when the call reads an index
    where: str  # path:line

    def __str__(self) -> str:
        return f"{self.service}.{self.operation} at {self.where}"


# --- the project's modules ---------------------------------------------------------


@dataclass
class ClassInfo:
    module: str
    name: str
    node: ast.ClassDef
    methods: dict[str, str] = field(default_factory=dict)  # name -> qualname
    properties: dict[str, tuple[str, ast.expr | None]] = field(default_factory=dict)  # name -> (qualname, returns)
    attributes: dict[str, ast.expr] = field(default_factory=dict)  # attribute -> annotation

    @property
    def key(self) -> str:
        return f"{self.module}:{self.name}"


@dataclass
class ModuleInfo:
    name: str
    path: Path
    tree: ast.Module
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local -> (module, attr)
    constants: dict[str, str] = field(default_factory=dict)


def _is_property(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")
        if name in ("property", "cached_property"):
            return True
    return False


def _index_functions(module: ModuleInfo, body: list[ast.stmt], prefix: str) -> None:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            qualname = prefix + node.name
            module.functions[qualname] = node
            _index_functions(module, node.body, qualname + ".<locals>.")
        elif isinstance(node, ast.ClassDef):
            _index_functions(module, node.body, prefix + node.name + ".")


def _parse_module(name: str, path: Path) -> ModuleInfo:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = ModuleInfo(name, path, tree)
    _index_functions(module, tree.body, "")
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    module.imports[alias.asname] = (alias.name, None)
                else:
                    top = alias.name.split(".")[0]
                    module.imports[top] = (top, None)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                module.imports[alias.asname or alias.name] = (base, alias.name)
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                module.constants[node.targets[0].id] = node.value.value
        if isinstance(node, ast.ClassDef):
            info = ClassInfo(name, node.name, node)
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    qualname = f"{node.name}.{item.name}"
                    if _is_property(item):
                        info.properties[item.name] = (qualname, item.returns)
                    else:
                        info.methods[item.name] = qualname
                    if item.name == "__init__":
                        params = {a.arg: a.annotation for a in item.args.args + item.args.kwonlyargs if a.annotation is not None}
                        for stmt in ast.walk(item):
                            if isinstance(stmt, ast.Assign):
                                for target in stmt.targets:
                                    if _is_self_attr(target) and isinstance(stmt.value, ast.Name) and stmt.value.id in params:
                                        info.attributes[target.attr] = params[stmt.value.id]
                            elif isinstance(stmt, ast.AnnAssign) and _is_self_attr(stmt.target):
                                info.attributes[stmt.target.attr] = stmt.annotation
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    info.attributes[item.target.id] = item.annotation
            module.classes[node.name] = info
    return module


def _is_self_attr(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


# --- types -------------------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    cls: str  # "module:Class"


@dataclass(frozen=True)
class ModuleRef:
    name: str


@dataclass(frozen=True)
class ClassRef:
    cls: str


@dataclass(frozen=True)
class Foreign:
    """An instance of a class from outside the project (`SecretStr`, `str`): no AWS call."""

    name: str


@dataclass(frozen=True)
class FunctionRef:
    module: str
    qualname: str
    cls: str | None = None  # the class of `self` when it is a method


Type = Instance | ModuleRef | ClassRef | FunctionRef | Foreign | None
UNTYPED = frozenset({"Any", "object"})


@dataclass(frozen=True)
class Context:
    module: str
    qualname: str
    cls: str | None  # the class of `self`
    hints: frozenset[str]  # settings from the arguments it was called with


class Project:
    """The project's Python modules (app.py and the packages the package ships)."""

    def __init__(self, root: Path, settings_fields: Iterable[str], sources: Iterable[str] = ("app.py", "chalicelib", "functions", "infra")):
        self.root = root
        self.settings_fields = frozenset(settings_fields)
        self.files: dict[str, Path] = {}  # module name -> file
        for source in sources:
            path = root / source
            files = [path] if path.is_file() else sorted(path.rglob("*.py"))
            for file in files:
                if "__pycache__" in file.parts:
                    continue
                rel = file.relative_to(root).with_suffix("")
                parts = list(rel.parts)
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                self.files[".".join(parts)] = file

    @cached_property
    def digest(self) -> str:
        """What an analysis depends on: the modules' names and bytes, the settings' names, this analyser, botocore's models."""
        import botocore

        h = hashlib.sha256(Path(__file__).read_bytes() + botocore.__version__.encode())
        h.update(repr(sorted(self.settings_fields)).encode())
        for name, file in sorted(self.files.items()):
            h.update(f"\0{name}\0".encode() + file.read_bytes())
        return h.hexdigest()

    # Parsed on first use: an analysis answered from the cache (`Analysis.aws_calls`) parses nothing.
    @cached_property
    def modules(self) -> dict[str, ModuleInfo]:
        return {name: _parse_module(name, file) for name, file in self.files.items()}

    @cached_property
    def packages(self) -> set[str]:
        return {m.split(".")[0] for m in self.modules}

    @cached_property
    def methods_by_name(self) -> dict[str, list[FunctionRef]]:
        found: dict[str, list[FunctionRef]] = {}
        for module in self.modules.values():
            for cls in module.classes.values():
                for method, qualname in cls.methods.items():
                    found.setdefault(method, []).append(FunctionRef(module.name, qualname, cls.key))
        return found

    # --- symbols ---

    def cls(self, key: str) -> ClassInfo | None:
        module, _, name = key.partition(":")
        info = self.modules.get(module)
        return info.classes.get(name) if info else None

    def symbol(self, module_name: str, name: str, depth: int = 0) -> Type:
        """What `name` means at the top of a module (following imports)."""
        module = self.modules.get(module_name)
        if module is None or depth > 5:
            return None
        if name in module.classes:
            return ClassRef(module.classes[name].key)
        if name in module.functions:
            return FunctionRef(module_name, name)
        if name in module.imports:
            target, attr = module.imports[name]
            if attr is None:
                return ModuleRef(target) if target in self.modules else None
            if f"{target}.{attr}" in self.modules:
                return ModuleRef(f"{target}.{attr}")
            return self.symbol(target, attr, depth + 1)
        return None

    def constant(self, module_name: str, name: str) -> str | None:
        module = self.modules.get(module_name)
        if module is None:
            return None
        if name in module.constants:
            return module.constants[name]
        if name in module.imports and module.imports[name][1]:
            target, attr = module.imports[name]
            return self.constant(target, attr or "")
        return None

    def mro(self, key: str) -> Iterator[ClassInfo]:
        seen: set[str] = set()
        stack = [key]
        while stack:
            current = stack.pop(0)
            if current in seen:
                continue
            seen.add(current)
            info = self.cls(current)
            if info is None:
                continue
            yield info
            for base in info.node.bases:
                resolved = self.annotation_type(info.module, base)
                if isinstance(resolved, Instance):
                    stack.append(resolved.cls)

    def annotation_type(self, module_name: str, node: ast.expr | None) -> Type:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.annotation_type(module_name, node.left) or self.annotation_type(module_name, node.right)
        if isinstance(node, ast.Subscript):
            return self.annotation_type(module_name, node.slice) if _name_of(node.value) == "Optional" else None
        if isinstance(node, ast.Name):
            resolved = self.symbol(module_name, node.id)
            if resolved is None:
                return self._foreign(module_name, node.id)
        elif isinstance(node, ast.Attribute) and _foreign_root(self, module_name, node):
            # a library's class named through its module (`urllib.request.OpenerDirector`), not an AWS client
            return self.foreign_name(module_name, _foreign_root(self, module_name, node))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            base = self.symbol(module_name, node.value.id)
            resolved = self.symbol(base.name, node.attr) if isinstance(base, ModuleRef) else None
        else:
            return None
        if not isinstance(resolved, ClassRef):
            return None
        # a port (Protocol) stands for the adapter the composition root deploys behind it
        return Instance(DEPLOYED_ADAPTERS.get(resolved.cls, resolved.cls))

    def _foreign(self, module_name: str, name: str) -> Type:
        """An annotation naming something outside the project."""
        if name == "None":
            return None
        return self.foreign_name(module_name, name)

    def foreign_name(self, module_name: str, name: str) -> Type:
        """A name from a library or the builtins: Foreign, not an AWS client.

        Except the AWS SDK (and its type stubs), `Any` and `object`: unknown, so that
        calls on them count as AWS calls.
        """
        if name in UNTYPED:
            return None
        imported = self.modules[module_name].imports.get(name)
        if imported is not None:
            top = imported[0].split(".")[0]
            if top in SDK_MODULES or top.startswith(("mypy_boto3", "types_boto3")) or top in self.packages:
                return None
            return None if imported[1] in UNTYPED else Foreign(f"{imported[0]}.{imported[1] or ''}")
        return Foreign(f"builtins.{name}") if hasattr(builtins, name) else None

    def function(self, ref: FunctionRef) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        module = self.modules.get(ref.module)
        return module.functions.get(ref.qualname) if module else None

    def lookup_member(self, cls_key: str, name: str) -> tuple[str, FunctionRef | None, Type]:
        """A member of a class: ("method", ref, None) | ("property", ref, type) | ("attribute", None, type)."""
        for info in self.mro(cls_key):
            if name in info.methods:
                return "method", FunctionRef(info.module, info.methods[name], cls_key), None
            if name in info.properties:
                qualname, returns = info.properties[name]
                return "property", FunctionRef(info.module, qualname, cls_key), self.annotation_type(info.module, returns)
            if name in info.attributes:
                return "attribute", None, self.annotation_type(info.module, info.attributes[name])
        return "none", None, None


def _foreign_root(project: Project, module_name: str, node: ast.expr) -> str:
    """`a` of `a.b.c` when `a` is not the project's (a library module), else ""."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) and project.symbol(module_name, node.id) is None else ""


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


# --- the analysis ------------------------------------------------------------------


class Analysis:
    def __init__(self, project: Project):
        self.project = project
        self.bindings: dict[str, set[str]] = {}  # class -> settings its objects were built with

    def aws_calls(self, entries: Iterable[tuple[str, str]]) -> set[AwsCall]:
        """Every AWS call reachable from the given (module, qualname) entry functions.

        The analysis of the whole project takes seconds, and each test process (xdist worker)
        of a session would repeat it: a fresh analysis is kept in build/callgraph/ by the
        digest of what it depends on, computed by whichever process asks first (the others
        wait for it) and read back by the rest, in this session and later ones while nothing
        it reads has changed.
        """
        entries = list(entries)
        if self.bindings:  # what earlier calls bound changes the answer: not the cached one
            return self._aws_calls(entries)
        key = hashlib.sha256(f"{self.project.digest}\0{sorted(entries)!r}".encode()).hexdigest()
        kept = CACHE / f"{key}.pickle"
        CACHE.mkdir(parents=True, exist_ok=True)
        with open(CACHE / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if kept.exists():
                calls: set[AwsCall] = pickle.loads(kept.read_bytes())
                return calls
            calls = self._aws_calls(entries)
            partial = kept.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(pickle.dumps(calls))
            partial.replace(kept)
            return calls

    def _aws_calls(self, entries: list[tuple[str, str]]) -> set[AwsCall]:
        seen: set[Context] = set()
        # Bindings grow while we go; iterate until they stop growing.
        while True:
            calls: set[AwsCall] = set()
            before = sum(len(v) for v in self.bindings.values())
            work = [Context(m, q, self._owner(m, q), frozenset()) for m, q in entries]
            seen.clear()
            while work:
                ctx = work.pop()
                if ctx in seen:
                    continue
                seen.add(ctx)
                found, edges = self._analyse(ctx)
                calls |= found
                work.extend(e for e in edges if e not in seen)
            if sum(len(v) for v in self.bindings.values()) == before:
                return calls

    def _owner(self, module: str, qualname: str) -> str | None:
        head = qualname.split(".<locals>.", maxsplit=1)[0]
        if "." in head:
            cls_name = head.split(".")[0]
            info = self.project.modules.get(module)
            if info and cls_name in info.classes:
                return info.classes[cls_name].key
        return None

    # --- one function ---

    def _analyse(self, ctx: Context) -> tuple[set[AwsCall], list[Context]]:
        project = self.project
        node = project.function(FunctionRef(ctx.module, ctx.qualname))
        if node is None:
            return set(), []
        module = project.modules[ctx.module]
        env: dict[str, Type] = {}
        params = {a.arg for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs}
        for arg in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
            if arg.arg == "self" and ctx.cls:
                env["self"] = Instance(ctx.cls)
            elif arg.annotation is not None:
                env[arg.arg] = project.annotation_type(ctx.module, arg.annotation)
        for stmt in ast.walk(node):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                inferred = self._type(stmt.value, env, ctx)
                if inferred is not None and stmt.targets[0].id not in env:
                    env[stmt.targets[0].id] = inferred
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                env[stmt.target.id] = project.annotation_type(ctx.module, stmt.annotation)
            elif isinstance(stmt, ast.withitem) and isinstance(stmt.optional_vars, ast.Name):
                inferred = self._type(stmt.context_expr, env, ctx)
                if isinstance(inferred, Foreign):
                    env[stmt.optional_vars.id] = inferred
        local_settings = self._settings_in(node, ctx)
        calls: set[AwsCall] = set()
        edges: list[Context] = []
        called: set[int] = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Call):
                called.add(id(child.func))
        for child in ast.walk(node):
            if isinstance(child, ast.Call):
                found, more = self._call(child, env, ctx, module, params, local_settings, node)
                calls |= found
                edges += more
            elif isinstance(child, ast.Attribute) and isinstance(child.ctx, ast.Load) and id(child) not in called:
                receiver = self._type(child.value, env, ctx)
                if isinstance(receiver, Instance):
                    kind, ref, _ = project.lookup_member(receiver.cls, child.attr)
                    if ref is not None and kind in ("property", "method"):  # a getter runs; a bound method escapes
                        edges.append(Context(ref.module, ref.qualname, ref.cls, ctx.hints))
                elif isinstance(receiver, ModuleRef):
                    target = project.symbol(receiver.name, child.attr)
                    if isinstance(target, FunctionRef):
                        edges.append(Context(target.module, target.qualname, None, frozenset()))
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) and id(child) not in called:
                if child.id not in env:
                    target = project.symbol(ctx.module, child.id)
                    if isinstance(target, FunctionRef):
                        edges.append(Context(target.module, target.qualname, self._owner(target.module, target.qualname), frozenset()))
        return calls, edges

    def _type(self, node: ast.expr, env: dict[str, Type], ctx: Context) -> Type:
        project = self.project
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            return project.symbol(ctx.module, node.id) or project.foreign_name(ctx.module, node.id)
        if isinstance(node, ast.Attribute):
            base = self._type(node.value, env, ctx)
            if isinstance(base, Foreign):
                return base  # whatever a library gives back is the library's (not an AWS client)
            if isinstance(base, ModuleRef):
                return project.symbol(base.name, node.attr)
            if isinstance(base, Instance):
                kind, ref, typ = project.lookup_member(base.cls, node.attr)
                if kind == "method" and ref is not None:
                    return ref
                return typ
            return None
        if isinstance(node, ast.Call):
            callee = self._type(node.func, env, ctx)
            if isinstance(callee, Foreign):
                return callee
            if isinstance(callee, ClassRef):
                return Instance(callee.cls)
            if isinstance(callee, FunctionRef):
                fn = project.function(callee)
                return project.annotation_type(callee.module, fn.returns) if fn is not None else None
        return None

    def _call(
        self,
        call: ast.Call,
        env: dict[str, Type],
        ctx: Context,
        module: ModuleInfo,
        params: set[str],
        local_settings: frozenset[str],
        function: ast.AST,
    ) -> tuple[set[AwsCall], list[Context]]:
        project = self.project
        arg_nodes = [*call.args, *(k.value for k in call.keywords)]
        hints = frozenset().union(*(self._settings_in(a, ctx) for a in arg_nodes)) if arg_nodes else frozenset()
        if any(
            isinstance(a, ast.Name) and a.id in params for a in ast.walk(ast.Module(body=[ast.Expr(a) for a in arg_nodes], type_ignores=[]))
        ):
            hints |= ctx.hints  # passes its own arguments on
        callee = self._type(call.func, env, ctx)
        if isinstance(callee, FunctionRef):
            return set(), [Context(callee.module, callee.qualname, callee.cls or self._owner(callee.module, callee.qualname), hints)]
        if isinstance(callee, ClassRef):
            self.bindings.setdefault(callee.cls, set()).update(hints)
            kind, ref, _ = project.lookup_member(callee.cls, "__init__")
            return set(), ([Context(ref.module, ref.qualname, callee.cls, hints)] if ref else [])
        name = _name_of(call.func)
        where = f"{module.path.relative_to(project.root)}:{call.lineno}"
        tied = hints | local_settings | ctx.hints | frozenset(self.bindings.get(ctx.cls or "", ()))
        if name in LIBRARY_CALLS and (callee is None or isinstance(callee, Foreign)):
            service, actions = LIBRARY_CALLS[name]
            return {AwsCall(service, name, actions, tied, frozenset(), None, where)}, []
        if isinstance(callee, Foreign):
            return set(), []
        if isinstance(call.func, ast.Attribute) and callee is None:
            receiver = self._type(call.func.value, env, ctx)
            if receiver is None and name in aws_operations():
                return self._aws_call(call, name, tied, ctx, where, function), []
            if receiver is None and name not in BUILTIN_METHODS and name in project.methods_by_name:
                return set(), [Context(r.module, r.qualname, r.cls, hints) for r in project.methods_by_name[name]]
        return set(), []

    def _aws_call(self, call: ast.Call, name: str, tied: frozenset[str], ctx: Context, where: str, function: ast.AST) -> set[AwsCall]:
        candidates = aws_operations()[name]
        if candidates == (("*", "<ClientMethod>"),):  # get_paginator("list_objects_v2"), generate_presigned_url("get_object")
            candidates = self._client_method(call, name, where)
        if len(candidates) > 1:  # the receiver's text or a client("x") in it decides
            text = ast.unparse(call.func.value).lower() if isinstance(call.func, ast.Attribute) else ""
            chosen = [c for c in candidates if c[0] in text or (c[0] == "stepfunctions" and "sfn" in text)]
            candidates = tuple(chosen) or candidates
        keywords = frozenset(k.arg for k in call.keywords if k.arg) | _dict_keys(call)
        index = None
        if "IndexName" in keywords or "IndexName" in _dict_keys(function):
            index = self._index_name(call, function, ctx) or "*"
        found = set()
        for service, operation in candidates:
            if operation == "TransactWriteItems":
                actions = tuple(sorted(TRANSACT_ITEM_ACTIONS[k] for k in keywords if k in TRANSACT_ITEM_ACTIONS))
            else:
                actions = iam_actions(service, operation)
            found.add(AwsCall(service, operation, actions, tied, keywords, index, where))
        return found

    @staticmethod
    def _client_method(call: ast.Call, name: str, where: str) -> tuple[tuple[str, str], ...]:
        """The operation a paginator or a presigned URL is for (its first argument)."""
        method = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("ClientMethod", "operation_name")), None)
        inner = aws_operations().get(str(method.value), ()) if isinstance(method, ast.Constant) else ()
        if not inner:
            raise ValueError(f"{where}: {name} of an operation named only at run time")
        return inner

    def _index_name(self, call: ast.Call, function: ast.AST, ctx: Context) -> str | None:
        for node in ast.walk(function):
            value = None
            if isinstance(node, ast.keyword) and node.arg == "IndexName":
                value = node.value
            elif isinstance(node, ast.Dict):
                for key, item in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "IndexName":
                        value = item
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
            if isinstance(value, ast.Name):
                return self.project.constant(ctx.module, value.id)
        return None

    def _settings_in(self, node: ast.AST, ctx: Context, depth: int = 0) -> frozenset[str]:
        """Settings fields an expression or function names, through `self.<property>`s."""
        found: set[str] = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Attribute) and child.attr in self.project.settings_fields:
                if "settings" in ast.unparse(child.value).lower():
                    found.add(child.attr)
            if depth < 2 and _is_self_attr(child) and ctx.cls:
                kind, ref, _ = self.project.lookup_member(ctx.cls, child.attr)  # type: ignore[attr-defined]
                if kind == "property" and ref is not None:
                    getter = self.project.function(ref)
                    if getter is not None:
                        found |= self._settings_in(getter, ctx, depth + 1)
        return frozenset(found)


def _dict_keys(node: ast.AST) -> frozenset[str]:
    keys = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Dict):
            keys |= {k.value for k in child.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif isinstance(child, ast.Subscript) and isinstance(child.slice, ast.Constant) and isinstance(child.slice.value, str):
            keys.add(child.slice.value)
    return frozenset(keys)


def project_for(root: Path) -> Project:
    from chalicelib.settings import Settings

    return Project(root, Settings.model_fields)


__all__ = ["AwsCall", "Analysis", "Project", "project_for", "iam_actions", "aws_operations"]
