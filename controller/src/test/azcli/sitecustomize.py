# Repairs one inconsistency between two Debian 12 packages, nothing else; loaded by AzCliTest via PYTHONPATH.
#
# azure-cli 2.45 (Debian) loads each command's arguments by importing, e.g.,
#   azure.mgmt.network.v2018_11_01.operations#NetworkWatchersOperations
# but python3-azure 20230112 ships azure-mgmt-network 23.0.0b1 as one set of version-independent
# operation classes (azure.mgmt.network.operations, taking api_version as an argument) plus per-version
# *models* only, so every `az network ...` command dies with
#   ModuleNotFoundError: No module named 'azure.mgmt.network.v2018_11_01.operations'
# before sending a request (reported upstream as Azure/azure-cli#26830, Debian 12, same traceback;
# with the default "latest" profile even the models, azure.mgmt.network.v2022_01_01, and compute
# v2022_11_01 are missing, which is why AzCliTest uses the Azure Stack profile).
# This finder answers only those missing imports, with the package's own
# shared operations module; requests, api-versions and polling stay exactly az's.
import importlib
import importlib.abc
import importlib.util
import re
import sys

_MISSING = re.compile(r'^(azure\.mgmt\.network)\.v\d{4}_\d{2}_\d{2}(?:_preview)?(\.aio)?\.operations$')


class _SharedOperations(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if _MISSING.match(name):
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        m = _MISSING.match(spec.name)
        return importlib.import_module(m.group(1) + (m.group(2) or '') + '.operations')

    def exec_module(self, module):
        pass


# Last on the path: consulted only when the real module does not exist.
sys.meta_path.append(_SharedOperations())
