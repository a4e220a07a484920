"""The sizers muppy registers for the libraries it knows.

A sizer reports the memory an object holds outside Python objects, as
external nodes of the snapshot (see muppy.register_sizer):

    sizer(obj) -> None | (name, address, size[, label[, memory]]) | [nodes]

muppy imports none of these libraries: the sizers are registered by the
classes' qualified names and run only for instances the dump meets.
They must not keep anything: the dump leaves the heap as it found it.

What they cover and how exact they are:

- torch tensors (torch.Tensor and subclasses, nn.Parameter): one node
  "torch storage" per storage, found by the storage's base address
  (the key: data_ptr() - storage_offset() * element_size()), so that a
  tensor and its views give one node.  Its size is the storage's
  nbytes() on torch < 2.1; from 2.1, asking for the storage object
  would leave one behind (torch keeps a storage's Python object alive
  once made, as long as the storage lives), so the size is the extent
  the tensor spans in it: exact for a tensor that is not a view.  A
  tensor on a GPU gives "torch storage (cuda)", device memory (not in
  the RSS).  Sparse tensors: their indices' and values' storages.
  Not covered: gradients that only C++ holds (param.grad is made on
  demand), autograd's saved tensors, the CUDA caching allocator's
  reserve.
- torch storages held in Python (torch.UntypedStorage): the same node.
- PIL images (the ImagingCore behind Image.im): "PIL image core",
  height * (width * bytes per pixel + a line pointer); Pillow's block
  cache for freed images is not covered.
- pandas' hash tables (the engines behind Index.get_loc):
  "pandas hashtable", what HashTable.sizeof() reports.
- lxml documents: "libxml2 document (estimate)", one per document, from
  the numbers of elements, text nodes and attributes and the length of
  the text (XPath counts in C, no element proxy made) times the sizes of
  libxml2's structures (xmlNode 120 bytes, xmlAttr 96, plus malloc's 16
  per block).  Reached from every element Python holds; the document
  itself has no Python handle.
"""
import gc

# bytes per pixel of the image modes that do not take 4 (Pillow's
# Storage.c: ImagingNewPrologueSubtype)
_PIL_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2,
              "I;16N": 2, "BGR;15": 2, "BGR;16": 2, "BGR;24": 3}

# libxml2's structures on a 64-bit build, and malloc's header per block
_XML_NODE = 120
_XML_ATTR = 96
_MALLOC = 16


def _torch_new_storage_objects():
    """True where asking a tensor for its storage object leaves one
    behind (torch 2.1+: PyObject preservation of storages)."""
    import torch
    try:
        major, minor = (int(x) for x in
                        torch.__version__.split("+")[0].split(".")[:2])
    except ValueError:
        return True
    return (major, minor) >= (2, 1)


def torch_tensor_key(t):
    """The address of t's storage (its data before the view's offset)."""
    if t.is_sparse:
        return None
    return t.data_ptr() - t.storage_offset() * t.element_size()


def _torch_node(t, address):
    device = t.device.type
    if device == "meta":
        return None
    if _torch_new_storage_objects():
        n = t.numel()
        size = 0
        if n:
            extent = t.storage_offset() + 1
            for dim, stride in zip(t.shape, t.stride()):
                extent += (dim - 1) * stride
            size = extent * t.element_size()
    else:
        storage = (t.untyped_storage() if hasattr(t, "untyped_storage")
                   else t._storage())
        size = storage.nbytes()
    if device == "cpu":
        return ("torch storage", address, size, "storage")
    return ("torch storage (%s)" % device, address, size, "storage",
            "device")


def torch_tensor(t):
    """The storage of a tensor (sparse: of its indices and values)."""
    if t.is_sparse:
        nodes = []
        for part in (t._indices(), t._values()):
            node = _torch_node(part, torch_tensor_key(part))
            if node is not None:
                nodes.append(node)
        return nodes
    return _torch_node(t, torch_tensor_key(t))


def torch_storage_key(s):
    return s.data_ptr()


def torch_storage(s):
    """A storage held in Python (torch.UntypedStorage)."""
    device = s.device.type
    if device == "meta":
        return None
    if device == "cpu":
        return ("torch storage", s.data_ptr(), s.nbytes(), "data")
    return ("torch storage (%s)" % device, s.data_ptr(), s.nbytes(), "data",
            "device")


def pil_core_key(core):
    return core.id


def pil_core(core):
    """The pixels of an ImagingCore: lines of width * pixel size bytes."""
    width, height = core.size
    pixel = _PIL_PIXEL.get(core.mode, 4)
    return ("PIL image core", core.id, height * (width * pixel + 8), "image")


def pandas_hashtable(table):
    """The khash table behind a pandas HashTable."""
    return ("pandas hashtable", None, table.sizeof(), "table")


def _lxml_document(element):
    for r in gc.get_referents(element):
        if type(r).__name__ == "_Document":
            return r
    return None


def lxml_element_key(element):
    """An address for the element's document: its _Document's + 1 (odd,
    never an object's)."""
    doc = _lxml_document(element)
    return None if doc is None else id(doc) + 1


def lxml_element(element):
    """An estimate of the libxml2 memory of the element's document."""
    doc = _lxml_document(element)
    if doc is None:
        return None
    tree = element.getroottree()
    elements = int(tree.xpath("count(//*)"))
    texts = int(tree.xpath("count(//text())"))
    attributes = int(tree.xpath("count(//@*)"))
    others = int(tree.xpath("count(//comment()|//processing-instruction())"))
    text_bytes = int(tree.xpath("string-length(/)"))
    size = ((elements + texts + others) * (_XML_NODE + _MALLOC)
            + texts * _MALLOC + text_bytes
            # an attribute, its value's text node and the value
            + attributes * (_XML_ATTR + _XML_NODE + 3 * _MALLOC + 8))
    return ("libxml2 document (estimate)", id(doc) + 1, size, "document")


# (class, sizer, key): registered by muppy at import
DEFAULT_SIZERS = [
    ("torch.Tensor", torch_tensor, torch_tensor_key),
    ("torch._C.StorageBase", torch_storage, torch_storage_key),
    ("builtins.ImagingCore", pil_core, pil_core_key),
    ("PIL._imaging.ImagingCore", pil_core, pil_core_key),
    ("pandas._libs.hashtable.HashTable", pandas_hashtable, None),
    ("lxml.etree._Element", lxml_element, lxml_element_key),
]

# classes whose __sizeof__ counts what the object refers to (or what an
# external node reports): an object whose __sizeof__ resolves to one of
# these gets its own size instead
DEFAULT_DEEP = [
    # memory_usage(deep=True): the columns, the index, every str
    "pandas.core.base.PandasObject",
    # the engine's hash table (the HashTable's, reported there)
    "pandas._libs.index.IndexEngine",
    "pandas._libs.index.BaseMultiIndexCodesEngine",
    # torch 2.x: the storage's bytes
    "torch.Tensor",
    "torch.storage._StorageBase",
    "torch.storage.TypedStorage",
]
