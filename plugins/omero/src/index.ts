/** @bioimageit/omero (work in progress). */
export {};
