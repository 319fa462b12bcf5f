"""Interactive ipywidgets controls, one module per lesson; each callback is a plain function tested on its own."""
