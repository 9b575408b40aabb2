"""A pretend volume provisioner: each PersistentVolumeClaim is bound, on the control loop's
next pass, to a volume of the size it asks for, as a default StorageClass would do.

The sandbox has no PersistentVolumes to list; a bound claim names a volume `pvc-<uid>` and
reports its capacity, which is all Kuber and kubectl read.
"""

from __future__ import annotations

from .kubernetes_store import ObjectStore

BOUND_BY = "pv.kubernetes.io/bind-completed"
PROVISIONER = "volume.kubernetes.io/storage-provisioner"


def sync_claims(store: ObjectStore) -> None:
    for claim in store.select("PersistentVolumeClaim"):
        if (claim.get("status") or {}).get("phase") == "Bound":
            continue
        spec = claim["spec"]
        spec["volumeName"] = f"pvc-{claim['metadata']['uid']}"
        spec.setdefault("storageClassName", "standard")
        annotations = claim["metadata"].setdefault("annotations", {})
        annotations[BOUND_BY] = "yes"
        annotations[PROVISIONER] = "sandbox.local/hostpath"
        claim["status"] = {
            "phase": "Bound",
            "accessModes": list(spec.get("accessModes") or []),
            "capacity": {
                "storage": (spec.get("resources") or {}).get("requests", {}).get("storage")
            },
        }
        store.update("PersistentVolumeClaim", claim)
