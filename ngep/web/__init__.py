# SPDX-License-Identifier: BSD-3-Clause
"""The validator page: a local web app that predicts for uploaded neurons.

``ngep serve`` runs it: a page where a neuroscientist drops SWC files and reads
each model's prediction, the out-of-domain flag, a picture of the neuron and its
base measurements, beside the model cards; and a JSON API
(``GET /api/models``, ``POST /api/predict``) for scripts. It needs the ``web``
extra (``pip install 'ngep[web]'``: Starlette, uvicorn, python-multipart,
matplotlib). See the "Web app" page of the user guide for running it on a lab
server.
"""

from ngep.web._app import create_app
from ngep.web._limits import Limits
from ngep.web._server import serve
from ngep.web._service import ServedModel, load_models

__all__ = ["Limits", "ServedModel", "create_app", "load_models", "serve"]
