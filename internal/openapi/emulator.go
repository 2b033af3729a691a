package openapi

// emulatorRoutes are the control routes internal/emulator registers under
// /__emulator/. They exist only when the emulator is on.
var emulatorRoutes = []Route{}
