"""The broker is a trust boundary: a worker runs whatever task message it finds, and refuses
only content types outside accept_content.

Both sub-commands write a task message into the `celery` list by hand with redis-py (no
Celery on the sending side) and watch what the running worker does with it.
"""

from __future__ import annotations

import base64
import datetime
import json
import pickle
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from celery import Celery
from celery.result import AsyncResult
from config.celery_app import app
from kombu.exceptions import DecodeError
from lessons.idle_queue import broker_client, idle_queue
from lessons.subcommands import run_subcommand

from demo_project.contract import DEFAULT_QUEUE, client_transport_options

BROKER_URL = str(app.conf.broker_url)


def hand_made_message(task_id: str, body: bytes, content_type: str) -> str:
    """A task message as kombu's Redis transport stores it (task protocol 2)."""
    return json.dumps(
        {
            "body": base64.b64encode(body).decode(),
            "content-encoding": "binary" if content_type.endswith("serialize") else "utf-8",
            "content-type": content_type,
            "headers": {"lang": "py", "task": "tasks.basic.add", "id": task_id,
                        "root_id": task_id, "retries": 0, "timelimit": [None, None]},
            "properties": {
                "correlation_id": task_id,
                "delivery_mode": 2,
                "delivery_info": {"exchange": "", "routing_key": DEFAULT_QUEUE},
                "priority": 0,
                "body_encoding": "base64",
                "delivery_tag": str(uuid.uuid4()),
            },
        }
    )  # fmt: skip


def _write_access() -> None:
    task_id = str(uuid.uuid4())
    body = json.dumps([[40, 2], {}, {}]).encode()
    client = broker_client(BROKER_URL)
    client.lpush(DEFAULT_QUEUE, hand_made_message(task_id, body, "application/json"))
    print("LPUSH celery <a JSON task message for tasks.basic.add(40, 2)>, written by redis-py")
    result = AsyncResult(task_id, app=app)
    print(f"a worker ran it: {result.get(timeout=20)} ({result.state})")
    result.forget()


def _accept_content() -> None:
    task_id = str(uuid.uuid4())
    body = pickle.dumps(((40, 2), {}, {}))
    message = hand_made_message(task_id, body, "application/x-python-serialize")
    client = broker_client(BROKER_URL)
    client.lpush(DEFAULT_QUEUE, message)
    print(f"accept_content in the demo's settings: {app.conf.accept_content}")
    print("LPUSH celery <the same task, pickled: application/x-python-serialize>")
    deadline = time.monotonic() + 10
    while message in client.lrange(DEFAULT_QUEUE, 0, -1) and time.monotonic() < deadline:
        time.sleep(0.1)
    taken = message not in client.lrange(DEFAULT_QUEUE, 0, -1)
    print(f"a worker took the message off the queue: {taken}")
    time.sleep(1.0)
    result = AsyncResult(task_id, app=app)
    print(f"the task's state 1 s later: {result.state} (it never ran)")


def _write_key_and_certificate(folder: Path) -> tuple[Path, Path]:
    """A private key and a self-signed X.509 certificate for it, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop-web")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "shop-web.key", folder / "shop-web.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def _signing() -> None:
    from kombu.serialization import loads

    with tempfile.TemporaryDirectory() as folder, idle_queue(BROKER_URL, "lesson-signed") as queue:
        key_file, cert_file = _write_key_and_certificate(Path(folder))
        signed = Celery("signed", set_as_current=False)
        signed.conf.update(
            broker_transport_options=client_transport_options(),
            security_key=str(key_file),
            security_certificate=str(cert_file),
            security_cert_store=str(cert_file),
            security_digest="sha256",
            task_serializer="auth",
            accept_content=["auth"],
        )
        signed.setup_security()
        signed.send_task("tasks.basic.add", args=(40, 2), queue=queue)
        message = json.loads(broker_client(BROKER_URL).lindex(queue, 0) or "{}")
        print(f"the message's content-type: {message['content-type']} (the auth serializer)")
        payload = base64.b64decode(message["body"])
        fields = base64.b64decode(payload).split(b"\x00\x01", 4)  # signer, signature, ...
        print(f"its body: signer, signature, then the JSON itself: {fields[4][:13].decode()}…")
        content = (message["content-type"], message["content-encoding"])
        print(f"verified and decoded: args {loads(payload, *content, accept=['auth'])[0]}")
        fields[4] = fields[4].replace(b"[[40, 2]", b"[[99, 2]")
        tampered = base64.b64encode(b"\x00\x01".join(fields))
        try:
            loads(tampered, *content, accept=["auth"])
            print("args changed to [99, 2] in transit: accepted")
        except DecodeError as error:  # wraps Celery's SecurityError (celery/celery#5692)
            reason = str(error).split(":")[0]
            print(f"args changed to [99, 2] in transit: refused, {type(error).__name__}: {reason}")


COMMANDS: dict[str, Callable[[], None]] = {
    "write-access": _write_access,
    "accept-content": _accept_content,
    "signing": _signing,
}


def main(argv: list[str]) -> int:
    return run_subcommand("lessons.broker_trust", COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
