"""ML2 mechanism driver used only by the heatlike devcloud."""
